#!/usr/bin/env python3
"""Turn the OCR text of Thông tư 04/2012/TT-BKHĐT into clean annex rows, and list the rest.

Input:  the OCR text (shared/data/catalog-tt04-2012/TT04-2012-BKHDT_ocr.md) and the HS
        nomenclature (rules/reference/hs_vn_2022.tsv).
Output: build/tt04_2012_rows.csv in the official annex layout (Phụ lục, Số TT, Tên mặt hàng,
        Mã số theo biểu thuế, Ký hiệu quy cách, mô tả đặc tính kỹ thuật), read by
        `hangviet registry import`; tt04_2012_garbled.tsv: every numbered row left out and why.

A row is kept only when all of this holds, otherwise it is listed, never guessed:
- it starts with its row number, and the number follows the previous kept row (+1 to +3);
- the same OCR line holds a 4-digit heading (OCR digit fixes only: § → 8, I/l/| → 1, O/o → 0),
  optionally followed by 2-digit subheading and line fields;
- the code exists in the 2022 nomenclature, at its level or cut to the longest level that does
  (the cut is noted in the specification);
- the name starts with a capital letter (a lower-case start means the OCR dropped letters);
- every word of the name is a word of the nomenclature's Vietnamese text (catches dropped
  letters such as "ăm xe dap" for "Săm xe đạp"), short Latin abbreviations excepted.
"""
import csv
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
OCR = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "../shared/data/catalog-tt04-2012/TT04-2012-BKHDT_ocr.md"
HS = ROOT / "rules/reference/hs_vn_2022.tsv"
ROWS = HERE / "tt04_2012_rows.csv"
GARBLED = HERE.parent / "tt04_2012_garbled.tsv"

ANNEXES = ["Phụ lục I", "Phụ lục II", "Phụ lục III", "Phụ lục IV", "Phụ lục V", "Phụ lục VI"]
# Annex headers as the OCR wrote them, in order (see the data README).
ANNEX_LINE = re.compile(r"^(PHULUC1|PHU LỤC H|PHỤ LỤC II|PHỤ LỤC IV|PHỤ LỤC V|PHỤ LỤC VI)\s*$")

nfc = lambda s: unicodedata.normalize("NFC", s)


def load_hs():
    codes, words = set(), set()
    for line in HS.read_text(encoding="utf-8").splitlines():
        code, _, desc = line.partition("\t")
        if code.isdigit():
            codes.add(code)
            words.update(w.lower() for w in re.findall(r"\w+", nfc(desc)))
    return codes, words


def valid_prefix(code, codes):
    """Longest of code[:8], code[:6], code[:4] the nomenclature knows."""
    for n in (8, 6, 4):
        c = code[:n]
        if len(c) < n:
            continue
        if n == 8 and c in codes:
            return c
        if n < 8 and (c in codes or any(k.startswith(c) for k in codes if len(k) == 8)):
            return c
    return None


FIX = str.maketrans({"§": "8", "I": "1", "l": "1", "|": "1", "O": "0", "o": "0", "ọ": "0"})
ROW = re.compile(r"^[\s\[\(|‘'`_.]*(\d{1,3})(?:[\s._,‘'`|\[\(]+)(.*)$")
# A heading (4 chars of digits or digit look-alikes), then optional 2-char fields split by | or space.
CODE = re.compile(
    r"(?<![\w§])([0-9§][0-9§IlOo]{3})(?![\w§])((?:\s*\|?\s*[0-9IlOoọ]{2}(?!\w)){0,2})"
)


def parse(text, codes, vocab):
    rows, garbled = [], []
    annex = -1
    prev = 0
    for ln, raw in enumerate(text.splitlines(), 1):
        line = nfc(raw).strip()
        if ANNEX_LINE.match(line):
            annex += 1
            prev = 0
            continue
        if annex < 0 or annex >= len(ANNEXES):
            continue
        m = ROW.match(line)
        if not m:
            continue
        n, rest = int(m.group(1)), m.group(2)
        where = f"{ANNEXES[annex]}\t{n}\t{ln}"
        cm = CODE.search(rest)
        if not (prev < n <= prev + 3):
            # Not the next row: a number inside a spec line, or a misread row number.
            if cm and prev < n <= prev + 10:
                garbled.append(f"{where}\tsố thứ tự không liền mạch (sau {prev})\t{raw}")
            continue
        if not cm:
            garbled.append(f"{where}\tkhông có mã số trên dòng của mặt hàng\t{raw}")
            prev = n
            continue
        name = rest[: cm.start()].strip(" |_[]()‘'`.,;:-¬~").strip()
        spec = rest[cm.end():].strip(" |_[]").strip()
        fields = [cm.group(1)] + re.findall(r"[0-9IlOoọ]{2}", cm.group(2) or "")
        code = "".join(f.translate(FIX) for f in fields)
        prev = n
        if not code.isdigit() or len(code) not in (4, 6, 8):
            garbled.append(f"{where}\tmã số không đọc được ({cm.group(0).strip()})\t{raw}")
            continue
        good = valid_prefix(code, codes)
        if not good:
            garbled.append(f"{where}\tmã {code} không có trong danh mục HS 2022\t{raw}")
            continue
        words = re.findall(r"[^\W\d_]+", name)
        if words and not name[0].isupper():
            # Names start with a capital; a lower-case start means the OCR dropped letters.
            garbled.append(f"{where}\ttên mất chữ đầu: {name}\t{raw}")
            continue
        unknown = [w for w in words if w.lower() not in vocab and not (w.isascii() and w.isupper() and len(w) <= 6)]
        if not words or unknown:
            why = "tên rỗng" if not words else "tên hỏng: " + ", ".join(unknown)
            garbled.append(f"{where}\t{why}\t{raw}")
            continue
        if len(good) < len(code):
            spec = (spec + f" [mã trong thông tư: {code}; HS 2022 chỉ còn {good}]").strip()
        dotted = ".".join(p for p in (good[:4], good[4:6], good[6:8]) if p)
        rows.append([ANNEXES[annex], n, name, dotted, spec])
    return rows, garbled


def main():
    codes, vocab = load_hs()
    text = OCR.read_text(encoding="utf-8")
    rows, garbled = parse(text, codes, vocab)
    with ROWS.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Phụ lục", "Số TT", "Tên mặt hàng", "Mã số theo biểu thuế", "Ký hiệu quy cách, mô tả đặc tính kỹ thuật"])
        w.writerows(rows)
    with GARBLED.open("w", encoding="utf-8") as f:
        f.write("# Rows of TT 04/2012/TT-BKHĐT left out of catalogue_tt04_2012.toml: the OCR garbled them.\n")
        f.write("# Built by build/tt04_rows.py. Columns: annex, row number as read, OCR line, why, OCR text.\n")
        f.write("annex\trow\tocr_line\treason\ttext\n")
        for g in garbled:
            f.write(g.replace("\r", " ") + "\n")
    print(f"{len(rows)} rows kept, {len(garbled)} listed as garbled", file=sys.stderr)


if __name__ == "__main__":
    main()
