"""``python -m service.cli``: the ``moderato`` command."""

from service.cli import main

main()
