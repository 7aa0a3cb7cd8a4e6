"""Stripe payments CSV export (Dashboard → Payments → Export): one row per payment with columns such as
id, Created date (UTC), Amount, Amount Refunded, Currency, Status, Customer Email, Description, and one
column per metadata key ('key (metadata)'). Amounts are in major units ('1980' yen, '19.80' dollars).

Which step sold a payment: funnelgen's checkout links pass client_reference_id = 'funnel-step-variant'
(funnelgen/runtime/funnel.js; https://docs.stripe.com/payment-links/url-parameters), and the UTM codes of
the visit (utm_source …), which Stripe keeps with the payment link's checkout."""

from __future__ import annotations

from decimal import Decimal

from .records import Problems, Row, csv_rows, find_column, norm, parse_amount

REFERENCE = ("client_reference_id", "Client Reference ID", "client_reference_id (metadata)", "fg_ref (metadata)",
             "Checkout Session client_reference_id")
SOURCE = ("utm_source", "utm_source (metadata)", "UTM Source")
PAID = {"paid", "succeeded", "refunded", "partially refunded", "partially_refunded"}  # a purchase happened


def looks_like(header: list[str]) -> bool:
    return find_column(header, "Amount") is not None and find_column(header, "Currency") is not None and (
        find_column(header, "Created date (UTC)", "Amount Refunded", "Status") is not None)


def read(text: str, catalog, problems: Problems) -> list[Row]:
    records = csv_rows(text)
    first = next(records, None)
    if first is None:
        return []
    header = first[1]
    col = {"amount": find_column(header, "Amount"), "refunded": find_column(header, "Amount Refunded"),
           "currency": find_column(header, "Currency"), "status": find_column(header, "Status"),
           "ref": find_column(header, *REFERENCE), "source": find_column(header, *SOURCE),
           "id": find_column(header, "id")}
    if col["ref"] is None:
        problems.error("no column says which funnel step sold each payment", 1, "client_reference_id",
                       "Export the payments with the client_reference_id column (funnelgen's checkout links set it "
                       "to funnel-step-variant); docs/report.md#stripe shows the columns read.")
        return []
    rows, skipped, foreign, currency = [], 0, Decimal(0), None
    for line, cells in records:
        if len(cells) != len(header):
            problems.error(f"{len(cells)} cells, the header has {len(header)}", line, "",
                           "Re-export the file; a value with a comma must be in double quotes.")
            continue

        def cell(key: str, cells=cells) -> str:
            return cells[col[key]].strip() if col[key] is not None else ""

        status = norm(cell("status"))
        if col["status"] is not None and status not in PAID:
            skipped += 1  # failed, canceled, incomplete …: no purchase
            continue
        amount, refunded = parse_amount(cell("amount")), parse_amount(cell("refunded"))
        for key, value in (("amount", amount), ("refunded", refunded)):
            if value is None:
                problems.error(f"'{cell(key)}' is not an amount", line, header[col[key]],
                               "Write digits, e.g. 1980 or 1,980 (as Stripe exports them).")
        if amount is None or refunded is None:
            continue
        if refunded > amount:
            problems.error(f"refunded {refunded} is more than the amount {amount}", line, header[col["refunded"]])
            continue
        ref = cell("ref")
        parsed = catalog.parse_reference(ref) if ref else None
        if parsed is None or not catalog.knows(parsed[1]):
            foreign += amount - refunded  # another product on the same Stripe account, or no reference
            if ref:
                problems.note("unknown_reference", line=line, ref=ref)
            continue
        code = cell("currency").upper()
        if currency is None:
            currency = code
        elif code != currency:
            problems.error(f"currency {code} in a file of {currency} payments", line, header[col["currency"]],
                           "Export one currency at a time (Stripe's export can filter by currency).")
            continue
        funnel, step, variant = parsed
        source = (cell("source") or None) if col["source"] is not None else None
        rows.append(Row("sale", step, funnel=funnel, variant=variant, source=source, amount=amount,
                        refunded=refunded, currency=code, where=f"{problems.file}:{line}", key=cell("id")))
    if skipped:
        problems.note("not_paid", count=skipped)
    if foreign:
        problems.note("foreign_payments", amount=f"{foreign:,}", currency=currency or "")
    return rows
