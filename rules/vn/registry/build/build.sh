#!/bin/sh
# Build the shipped registry data (rules/vn/registry/*.toml) from the real sources.
# Run from the repository root with shared/ beside it: sh rules/vn/registry/build/build.sh
set -eu
cd "$(dirname "$0")/../../../.."
OCR=${OCR:-../shared/data/catalog-tt04-2012/TT04-2012-BKHDT_ocr.md}
cargo build -q -p hangviet-cli
BIN=target/debug/hangviet
# 1. TT 04/2012 OCR text -> clean annex rows + list of garbled rows.
python3 rules/vn/registry/build/tt04_rows.py "$OCR"
# 2. Annex rows -> catalogue entries (every HS code checked again by the importer).
$BIN registry import rules/vn/registry/build/tt04_2012_rows.csv \
  --output rules/vn/registry/catalogue_tt04_2012.toml
# 3. The 351 real award rows (same rows as awarded_items.csv) -> learned entries.
$BIN registry learn tests/fixtures/award_egp.xlsx \
  --output rules/vn/registry/awards_gia_lai_2026.toml
