"""funnelgen: Markdown + YAML in, a wired static sales funnel out.

The package is a staged pipeline (load -> model -> validate -> render -> write);
see `funnelgen.build` for the order. Imports stay lazy so the CLI starts fast.
"""

__version__ = "0.1.0"
