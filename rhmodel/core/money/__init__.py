"""Money: cash flows, scenarios and their metrics, timing, uncertainty, and the one evaluation."""
