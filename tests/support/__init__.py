"""What the tests and the scripts share: a real `workshop serve` and clients to talk to it.

    from tests.support import RealServer, Peer, new_token    # server.py, clients.py, decks.py
    from tests.support.browser import chromium, Phone        # Debian's chromium via Playwright

Import it as `tests.support`, from the repository root: pytest puts the root on sys.path
(tests/ is a package), and the scripts are run from there as modules (`python -m scripts.X`).
"""
from tests.support.clients import Peer, RawSocket, Refused, goto_poll
from tests.support.decks import ALL_TYPES_DECK, write_all_types_deck
from tests.support.server import (DECK, HOST, ROOT, RealServer, ServerFailed, free_port, new_token,
                                  workshop_command)

__all__ = ["ALL_TYPES_DECK", "DECK", "HOST", "Peer", "ROOT", "RawSocket", "RealServer", "Refused",
           "ServerFailed", "free_port", "goto_poll", "new_token", "workshop_command",
           "write_all_types_deck"]
