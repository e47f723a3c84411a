"""Reference cases and the formulas they are checked against (``sispam-sim verify``)."""
