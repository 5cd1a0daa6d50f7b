// Page text in Vietnamese (default) and English. Findings themselves come from the engine in
// the chosen language (the page re-checks the files when the language changes).
// Numbers follow the language: "8.280.516.425" and "28,0 %" in Vietnamese, "8,280,516,425" and
// "28.0%" in English. Vietnamese nouns have no plural; English ones take it from Intl.PluralRules.
const LOCALE = { vi: "vi-VN", en: "en" };
const formats = {};
export function num(lang, n, digits = 0) {
  const key = `${lang}/${digits}`;
  formats[key] ||= new Intl.NumberFormat(LOCALE[lang], { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return formats[key].format(n);
}
const enPlural = new Intl.PluralRules("en");
// English "one"/"other" form for a count.
const en = (one, other) => (n) => (enPlural.select(n) === "one" ? one : other);
const vi = (n, d) => num("vi", n, d);
const e = (n, d) => num("en", n, d);

// An ISO date (YYYY-MM-DD) as people write it: 28/05/2026, May 28, 2026.
export function date(lang, iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  if (!m) return iso || "—";
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const opts = lang === "vi" ? { day: "2-digit", month: "2-digit", year: "numeric" } : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(LOCALE[lang], { ...opts, timeZone: "UTC" }).format(d);
}

export const TEXT = {
  vi: {
    title: "hangviet — kiểm tra ưu tiên hàng Việt trong danh mục mua sắm",
    disclaimer: "Kết quả là công cụ hỗ trợ sàng lọc cho cán bộ tài chính, kiểm toán; không phải kết luận pháp lý.",
    private: "Tệp được đọc ngay trên máy này; không có dữ liệu nào được gửi đi.",
    fileProtocol: "Trình duyệt không chạy được trang khi mở trực tiếp từ tệp (file://). Hãy phục vụ thư mục bằng một máy chủ tĩnh, ví dụ: python3 -m http.server -d dist, rồi mở http://localhost:8000/.",
    drop: "Kéo thả tệp danh mục vào đây (xlsx, xls, xlsb, ods, csv, tsv), hoặc",
    pick: "Chọn tệp…",
    loading: "Đang nạp bộ kiểm tra…",
    loadFailed: "Không nạp được bộ kiểm tra: ",
    noSimd: "trình duyệt này quá cũ (thiếu WebAssembly SIMD). Hãy dùng Chrome hoặc Edge từ bản 91, Firefox từ bản 114, Safari từ bản 16.4, hoặc dùng chương trình hangviet trên máy.",
    options: "Tuỳ chọn",
    asOf: "Áp dụng pháp luật tại ngày",
    failOn: "Coi là không đạt khi có phát hiện từ mức",
    never: "không bao giờ",
    rulePack: "Bộ quy tắc bổ sung (pack.toml và các tệp quy tắc)",
    download: "Tải báo cáo:",
    xlsxButton: "Excel có chú thích",
    severity: "Mức", rule: "Quy tắc", search: "Tìm", all: "Tất cả",
    searchHint: "mặt hàng, nội dung, ô…",
    "col.severity": "Mức", "col.rule": "Quy tắc", "col.where": "Vị trí", "col.item": "Mặt hàng",
    "col.message": "Nội dung", "col.citation": "Căn cứ",
    prev: "‹ Trước", next: "Sau ›",
    "sev.violation": "vi phạm", "sev.warning": "cảnh báo", "sev.advisory": "khuyến nghị", "sev.info": "thông tin",
    files: "Tệp", lines: "Dòng hàng", findings: "Phát hiện", errors: "Tệp lỗi",
    "count.violation": "vi phạm", "count.warning": "cảnh báo", "count.advisory": "khuyến nghị", "count.info": "thông tin",
    share: "Tỷ trọng giá trị hàng trong nước", value: "Tổng giá trị (đồng)", asOfUsed: "Ngày áp dụng",
    percent: (x) => `${vi(x, 1)} %`,
    verdict0: "Không có phát hiện từ mức đã chọn.", verdict1: "Có phát hiện từ mức đã chọn.",
    verdict2: "Có tệp không đọc được.",
    progress: (i, n, name) => (name ? `Đang kiểm tra tệp ${vi(i + 1)}/${vi(n)}: ${name}` : `Đã kiểm tra ${vi(n)} tệp`),
    elapsed: (s) => ` (${vi(s, 1)} giây)`,
    shown: (a, b) => `Hiển thị ${vi(a)}/${vi(b)} phát hiện`,
    page: (p, n) => `Trang ${vi(p)}/${vi(n)}`,
    row: "dòng", cells: "ô",
    alternatives: "Hàng trong nước tương đương: ",
    waived: "đã miễn trừ",
    pack: (p) => `Bộ quy tắc ${p.id} ${p.version} (${p.source}), sha256 ${p.hash.slice(0, 12)}…`,
    footer: (v) => `hangviet ${v} — chạy hoàn toàn trong trình duyệt (WebAssembly).`,
    exportFailed: "Không xuất được báo cáo: ",
    crashed: "Bộ đọc gặp lỗi với tệp này; đã khởi động lại để kiểm tra các tệp còn lại.",
    rulesFailed: "Không đọc được bộ quy tắc: ",
  },
  en: {
    title: "hangviet — domestic-goods priority check of purchase lists",
    disclaimer: "Findings are a screening aid for finance officers and auditors, not a legal ruling.",
    private: "Files are read on this computer; nothing is sent anywhere.",
    fileProtocol: "Browsers do not run this page opened straight from a file (file://). Serve the folder with a static server, e.g. python3 -m http.server -d dist, then open http://localhost:8000/.",
    drop: "Drop purchase-list files here (xlsx, xls, xlsb, ods, csv, tsv), or",
    pick: "Choose files…",
    loading: "Loading the checker…",
    loadFailed: "The checker could not be loaded: ",
    noSimd: "this browser is too old (no WebAssembly SIMD). Use Chrome or Edge 91 or later, Firefox 114 or later, Safari 16.4 or later, or the hangviet program on this computer.",
    options: "Options",
    asOf: "Apply the law in force on",
    failOn: "Fail when a finding is at or above",
    never: "never",
    rulePack: "Extra rule pack (pack.toml and its rule files)",
    download: "Download the report:",
    xlsxButton: "Annotated Excel",
    severity: "Severity", rule: "Rule", search: "Search", all: "All",
    searchHint: "item, finding, cell…",
    "col.severity": "Severity", "col.rule": "Rule", "col.where": "Where", "col.item": "Item",
    "col.message": "Finding", "col.citation": "Citation",
    prev: "‹ Previous", next: "Next ›",
    "sev.violation": "violation", "sev.warning": "warning", "sev.advisory": "advisory", "sev.info": "info",
    files: en("File", "Files"), lines: en("Line", "Lines"), findings: en("Finding", "Findings"),
    errors: en("File with errors", "Files with errors"),
    "count.violation": en("violation", "violations"), "count.warning": en("warning", "warnings"),
    "count.advisory": en("advisory", "advisories"), "count.info": "info",
    share: "Domestic share by value", value: "Total value (VND)", asOfUsed: "Law applied as of",
    percent: (x) => `${e(x, 1)}%`,
    verdict0: "No finding at or above the chosen severity.", verdict1: "Findings at or above the chosen severity.",
    verdict2: "Some files could not be read.",
    progress: (i, n, name) => (name ? `Checking file ${e(i + 1)} of ${e(n)}: ${name}` : `Checked ${e(n)} ${en("file", "files")(n)}`),
    elapsed: (s) => ` (${e(s, 1)} s)`,
    shown: (a, b) => `Showing ${e(a)} of ${e(b)} ${en("finding", "findings")(b)}`,
    page: (p, n) => `Page ${e(p)} of ${e(n)}`,
    row: "row", cells: en("cell", "cells"),
    alternatives: "Domestic equivalents: ",
    waived: "waived",
    pack: (p) => `Rule pack ${p.id} ${p.version} (${p.source}), sha256 ${p.hash.slice(0, 12)}…`,
    footer: (v) => `hangviet ${v} — runs entirely in the browser (WebAssembly).`,
    exportFailed: "The report could not be exported: ",
    crashed: "The reader broke on this file; the checker restarted for the other files.",
    rulesFailed: "The rule pack could not be read: ",
  },
};
