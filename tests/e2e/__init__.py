"""End-to-end browser tests (a package, so its browser fixture can be package-scoped)."""
