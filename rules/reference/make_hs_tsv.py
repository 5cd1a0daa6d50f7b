#!/usr/bin/env python3
"""Make rules/reference/hs_vn_2022.tsv from the Vietnamese nomenclature CSV.

Input:  shared/data/hs-nomenclature/hs_vn_2022.csv (Thông tư 31/2022/TT-BTC, AHTN 2022;
        columns Level, HSCode, Description_VN, Description_EN).
Output: one line per row that has a code: `code<TAB>Vietnamese description`, in code order.
        Dash-only grouping rows (no code) and the English text are dropped; the leading
        "- - " dashes (the row's depth, already implied by the code) and surrounding spaces
        are stripped; the wording is otherwise unchanged.

Usage: python3 rules/reference/make_hs_tsv.py [INPUT_CSV] [OUTPUT_TSV]
"""

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_IN = HERE.parents[1] / ".." / "shared" / "data" / "hs-nomenclature" / "hs_vn_2022.csv"
DEFAULT_OUT = HERE / "hs_vn_2022.tsv"

LEADING_DASHES = re.compile(r"^(?:-\s*)+")


def clean(desc: str) -> str:
    desc = " ".join(desc.split())  # tabs/newlines would break the TSV
    return LEADING_DASHES.sub("", desc).strip()


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_IN
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUT
    rows = []
    with open(src, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            code = r["HSCode"].strip()
            if not code:
                continue
            if not code.isdigit() or len(code) not in (4, 6, 8):
                sys.exit(f"{src}: unexpected code {code!r}")
            desc = clean(r["Description_VN"])
            if not desc:
                sys.exit(f"{src}: code {code} has no Vietnamese description")
            rows.append((code, desc))
    codes = [c for c, _ in rows]
    if len(set(codes)) != len(codes):
        sys.exit(f"{src}: duplicate codes")
    rows.sort()
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        for code, desc in rows:
            f.write(f"{code}\t{desc}\n")
    print(f"{dst}: {len(rows)} codes")


if __name__ == "__main__":
    main()
