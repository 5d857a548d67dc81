"""The experiments built on the library: the seed programs as runnable twins (``recipes``),
adversarial training (``gan``), the self-attention demos (``transformer_demos``) and the tiny
hand-written network of ``minigrad demo`` (``tiny_network``).  The library itself
(``minigrad.nn``, ``optim``, ``data``...) never imports from here."""
