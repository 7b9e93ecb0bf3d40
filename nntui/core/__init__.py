"""Pure computation: network, trainer, data, scaling, metrics, experiments. No textual here."""
