"""Services of checkpoints: they change state and do I/O. Views, APIs, tasks and commands call these.

``declaration_from_qr_text(text)`` is the contract for staff scanners (checkpoints and venues): the
personal QR's full URL or bare signed token -> the ``Declaration``, or None.
"""

from checkpoints.services.declarations import declaration_from_qr_text, declaration_qr_text, declaration_token

__all__ = ["declaration_from_qr_text", "declaration_qr_text", "declaration_token"]
