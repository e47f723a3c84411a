"""sispam-sim: a discrete-event simulator for Sispamkota drill scenarios."""

__version__ = "0.1.0"
