"""Run the model commands: ``python -m models score|train|evaluate``."""

from __future__ import annotations

from models.cli import main

if __name__ == "__main__":
    main()
