use super::*;
use crate::model::{ColumnMap, FieldValue, PackageFacts};

fn engine() -> Engine {
    Engine::embedded().unwrap()
}

fn opts() -> CheckOptions {
    CheckOptions {
        as_of: None,
        today: Date::parse("2026-06-01").unwrap(),
        lang: Lang::Vi,
        threads: 1,
    }
}

fn sheet(kind: SheetKind, fields: &[Field], rows: &[&[&str]], package: PackageFacts) -> Sheet {
    let columns: Vec<ColumnMap> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| ColumnMap {
            field: *f,
            column: crate::cell::col_letters(i as u32),
            header: f.id().into(),
        })
        .collect();
    let t = Tables::embedded().unwrap();
    let lines = rows
        .iter()
        .enumerate()
        .map(|(n, cells)| {
            let row = n as u32 + 5;
            let mut l = PurchaseLine {
                row,
                fields: Default::default(),
                extra: Default::default(),
                section: None,
                name_folded: Default::default(),
            };
            for (i, text) in cells.iter().enumerate() {
                let mut fv = FieldValue::text(*text, format!("{}{row}", columns[i].column));
                if fields[i].is_numeric() {
                    fv.value = match crate::number::parse_number(text) {
                        Ok(crate::number::Parsed::Number(v)) => Some(v),
                        Ok(crate::number::Parsed::Percent(v)) => Some(v),
                        _ => None,
                    };
                }
                l.fields.insert(fields[i], fv);
            }
            apply(&mut l, &t);
            l
        })
        .collect();
    Sheet {
        name: "DM".into(),
        kind,
        reason: None,
        hidden: false,
        header_rows: vec![4],
        columns,
        unmapped: vec![],
        lines,
        skipped: vec![],
        problems: vec![],
        package,
    }
}

fn book(sheets: Vec<Sheet>) -> Workbook {
    Workbook {
        file: "t.xlsx".into(),
        format: "xlsx".into(),
        sheets,
        notes: vec![],
    }
}

#[test]
fn engine_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Engine>();
}

#[test]
fn every_vn_example_passes() {
    let results = engine().test_examples();
    assert!(results.len() >= 50, "{}", results.len());
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn award_sheet_findings_in_row_order_with_summary() {
    use Field::*;
    let s = sheet(
        SheetKind::Award,
        &[
            Name,
            Model,
            Brand,
            Origin,
            Manufacturer,
            Quantity,
            UnitPrice,
            Amount,
        ],
        &[
            &[
                "Bơm tiêm 5ml",
                "BT5",
                "Vinahankook",
                "Việt Nam",
                "Vinahankook",
                "1000",
                "1500",
                "1500000",
            ],
            &[
                "Máy in",
                "LBP2900",
                "Canon",
                "Trung Quốc",
                "",
                "2",
                "5000000",
                "10000000",
            ],
            &[
                "Găng tay",
                "G1",
                "ABC",
                "Thái Lan, Malaysia",
                "ABC",
                "10",
                "100",
                "2000",
            ],
        ],
        PackageFacts {
            decision_date: Some("2026-02-01".into()),
            ..Default::default()
        },
    );
    let e = engine();
    let mut found = Vec::new();
    let input = e.check_workbook(&book(vec![s]), "x".into(), &opts(), &mut |f| found.push(f));
    let got: Vec<(u32, &str)> = found.iter().map(|f| (f.row, f.rule.as_str())).collect();
    assert_eq!(got, [(6, "VN-R11"), (7, "VN-R12"), (7, "VN-R15")]);
    let r11 = &found[0];
    assert_eq!(
        r11.message,
        "Dòng trúng thầu thiếu hãng sản xuất (ô E6 trống). Mẫu 10B yêu cầu ghi rõ ký mã hiệu, nhãn hiệu, xuất xứ, hãng sản xuất; hồ sơ dự thầu thiếu các thông tin này thì không được xem xét, đánh giá. Đề nghị đối chiếu E-HSDT của nhà thầu trúng thầu và bổ sung."
    );
    assert_eq!(r11.cells, ["E6"]);
    assert_eq!(
        r11.citation,
        "Thông tư 79/2025/TT-BTC, Mẫu số 4A: E-CDNT mục 15.7, 15.8; ghi chú Mẫu số 10B"
    );
    assert_eq!(r11.as_of.to_string(), "2026-02-01");
    assert_eq!(input.as_of_source, AsOfSource::DecisionDate);
    let t = &input.summary.totals;
    assert_eq!((t.lines, t.lines_counted, t.lines_domestic), (3, 3, 1));
    assert_eq!(t.value_total, 1_500_000.0 + 10_000_000.0 + 2000.0);
    assert_eq!(t.value_domestic, 1_500_000.0);
    assert_eq!(input.summary.domestic_share_lines, Some(0.3333));
    assert_eq!(t.by_rule["VN-R11"], 1);
    assert_eq!(t.by_severity["violation"], 1);
}

#[test]
fn as_of_decides_the_law() {
    use Field::*;
    let mk = |date: &str| {
        sheet(
            SheetKind::Requirements,
            &[Name, OriginRequirement],
            &[&["Máy siêu âm", "Nhật Bản"], &["Máy chụp CT", "G7"]],
            PackageFacts {
                hsmt_date: Some(date.into()),
                selection_method: Some("Đấu thầu rộng rãi".into()),
                ..Default::default()
            },
        )
    };
    let e = engine();
    let mut early = Vec::new();
    let input = e.check_workbook(
        &book(vec![mk("2025-03-01")]),
        "x".into(),
        &opts(),
        &mut |f| early.push(f),
    );
    assert_eq!(input.as_of_source, AsOfSource::HsmtDate);
    // Early 2025: only VN-R1 under the original Luật 22/2023 wording; VN-R3 (ND 214) not yet.
    let got: Vec<_> = early
        .iter()
        .map(|f| (f.row, f.rule.clone(), f.citation.clone()))
        .collect();
    assert_eq!(
        got,
        [(
            5,
            "VN-R1".to_string(),
            "Luật Đấu thầu số 22/2023/QH15, điểm i khoản 6 Điều 16; khoản 2, 3, 4 Điều 44 (văn bản gốc, trước khi sửa đổi bởi Luật số 90/2025/QH15)".to_string()
        )]
    );
    let mut late = Vec::new();
    e.check_workbook(
        &book(vec![mk("2026-04-02")]),
        "x".into(),
        &opts(),
        &mut |f| late.push(f),
    );
    let got: Vec<_> = late.iter().map(|f| (f.row, f.rule.as_str())).collect();
    assert_eq!(got, [(5, "VN-R1"), (6, "VN-R3")]);
    assert!(late[0]
        .citation
        .contains("Nghị định 214/2025/NĐ-CP, điểm a, c khoản 9 Điều 26"));
    // --as-of wins over the file's date.
    let mut o = opts();
    o.as_of = crate::rules::date::Date::parse("2025-03-01");
    let mut forced = Vec::new();
    let input = e.check_workbook(&book(vec![mk("2026-04-02")]), "x".into(), &o, &mut |f| {
        forced.push(f)
    });
    assert_eq!(input.as_of_source, AsOfSource::Option);
    assert_eq!(forced.len(), 1);
}

#[test]
fn assumed_open_bidding_is_said() {
    use Field::*;
    let s = sheet(
        SheetKind::Requirements,
        &[Name, OriginRequirement],
        &[&["Máy siêu âm", "Mỹ"]],
        PackageFacts::default(),
    );
    let mut found = Vec::new();
    engine().check_workbook(&book(vec![s]), "x".into(), &opts(), &mut |f| found.push(f));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains(
            "(Giả định: bảng không ghi hình thức lựa chọn nhà thầu, coi là đấu thầu rộng rãi)"
        ),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].assumptions.len(), 1);
    assert_eq!(found[0].values["origin_requirement"], "Mỹ");
    assert_eq!(
        found[0].values["origin_requirement_normalized"]["countries"][0],
        "US"
    );
}

#[test]
fn report_exit_codes() {
    use crate::report::{FailOn, Severity};
    let e = engine();
    let o = opts();
    let r = e.check_all(
        &[("missing.xlsx".into(), Err("không mở được tệp".into()))],
        &o,
    );
    assert_eq!(r.exit_code(FailOn::Never), 2);
    assert_eq!(r.summary.files_with_errors, 1);
    let r = e.check_all(
        &[("junk.xlsx".into(), Ok(b"not a spreadsheet".to_vec()))],
        &o,
    );
    assert_eq!(r.errors.len(), 1);
    let b = e.report(&o).finish();
    assert_eq!(b.exit_code(FailOn::At(Severity::Info)), 0);
}

/// The streaming reader path gives the in-memory path's findings and summary, byte for byte,
/// on every fixture, with and without a fixed law date.
#[test]
fn streaming_path_matches_in_memory_path() {
    let e = Engine::embedded().unwrap();
    let mut via_messages = 0;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let mut n = 0;
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        if !p.is_file() {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        for as_of in [None, crate::rules::date::Date::parse("2026-03-01")] {
            let o = CheckOptions { as_of, ..opts() };
            let old = crate::inspect::inspect(&bytes, &name, e.tables()).map(|wb| {
                let mut f = Vec::new();
                let i = e.check_workbook(&wb, "h".into(), &o, &mut |x| f.push(x));
                (i, f)
            });
            let stream = |o: &CheckOptions| {
                let mut f = Vec::new();
                e.check_reader(
                    std::io::Cursor::new(&bytes[..]),
                    &name,
                    "h".into(),
                    o,
                    &mut |x| f.push(x),
                )
                .map(|i| (i, f))
            };
            let new = stream(&o);
            // Threads (read ahead, merge pre-pass beside, lines on workers): the same answer.
            let threaded = stream(&CheckOptions { threads: 3, ..o });
            match (&new, &threaded) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{name} with threads"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
                _ => panic!("{name}: threads changed the outcome"),
            }
            // Cells read into messages and checked from them (the browser's two workers).
            if let Some(format) = e.reads_as_cells(&bytes, &name) {
                let mut f = Vec::new();
                match (
                    through_messages(&e, &bytes, &name, format, &o, &mut f),
                    &new,
                ) {
                    (Ok(Some(i)), Ok((i2, f2))) => {
                        assert_eq!(&i, i2, "{name} through messages");
                        assert_eq!(&f, f2, "{name} through messages");
                        via_messages += 1;
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
                    // No table: the whole-file reader words that error.
                    (Ok(None), Err(_)) => {}
                    (a, b) => panic!("{name}: {:?} vs {:?}", a.map(|x| x.is_some()), b.is_ok()),
                }
            }
            match (old, new) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.0, b.0, "{name}");
                    assert_eq!(a.1, b.1, "{name}");
                    n += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
                (a, b) => panic!("{name}: {:?} vs {:?}", a.map(|x| x.0), b.map(|x| x.0)),
            }
        }
    }
    assert!(n > 10, "checked {n}");
    assert!(
        via_messages >= 4,
        "checked through messages: {via_messages}"
    );
}

/// `Engine::check_cells` over the messages `read::cells::read_xlsx` makes of `bytes`.
fn through_messages(
    e: &Engine,
    bytes: &[u8],
    name: &str,
    format: Format,
    o: &CheckOptions,
    found: &mut Vec<Finding>,
) -> Result<Option<Input>> {
    let mut msgs = Vec::new();
    read::cells::read_xlsx(
        std::io::Cursor::new(bytes),
        name,
        &Limits::default(),
        &mut |m| {
            msgs.push(m);
            true
        },
    );
    let mut msgs = msgs.into_iter();
    let next = || {
        let m = msgs.next();
        async move { Ok(m) }
    };
    let mut sink = |x| found.push(x);
    let check = e.check_cells(bytes, next, name, "h".into(), format, o, &mut sink);
    // Every message is here already: the check never has to wait.
    let mut check = std::pin::pin!(check);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::future::Future::poll(check.as_mut(), &mut cx) {
        std::task::Poll::Ready(r) => r,
        std::task::Poll::Pending => panic!("{name}: the check waited with every message given"),
    }
}

/// One big file on several threads (read ahead, lines on workers) gives the report a single
/// thread gives: same findings in the same order, same totals, across batch and sheet ends.
#[test]
fn threads_give_the_single_thread_report() {
    let e = Engine::embedded().unwrap();
    let origins = [
        "Trung Quốc",
        "Việt Nam",
        "",
        "Mỹ",
        "Malaixia",
        "Công ty cổ phần Tanaphar/ Việt Nam",
        "theo E-HSDT",
        "Nhật/Hàn",
    ];
    let names = [
        "Bơm tiêm 5ml",
        "Găng tay khám",
        "Máy tính xách tay",
        "Chỉ khâu 2/0",
        "Bông y tế",
    ];
    let mut csv = String::from(
        "STT,Tên hàng hóa,Ký mã hiệu,Nhãn hiệu,Hãng sản xuất,Xuất xứ,Đơn vị tính,Số lượng,Đơn giá trúng thầu,Thành tiền\n",
    );
    for i in 0..1_000 {
        let model = if i % 7 == 0 { "" } else { "M-1" };
        let (qty, price) = (1 + i % 5, 1_000 * (1 + i % 13));
        // Every 11th amount is off: VN-R14-style amount gaps land in odd batches.
        let amount = qty * price + if i % 11 == 0 { 5 } else { 0 };
        csv.push_str(&format!(
            "{},{} {i},{model},Hiệu {},Hãng {},{},Cái,{qty},{price},{amount}\n",
            i + 1,
            names[i % names.len()],
            i % 3,
            i % 4,
            origins[i % origins.len()],
        ));
    }
    let bytes = csv.into_bytes();
    let run = |threads: usize| {
        let o = CheckOptions { threads, ..opts() };
        let mut f = Vec::new();
        let i = e
            .check_reader(
                std::io::Cursor::new(&bytes[..]),
                "big.csv",
                "h".into(),
                &o,
                &mut |x| f.push(x),
            )
            .unwrap();
        (i, f)
    };
    let one = run(1);
    assert!(one.1.len() > 300, "{} findings", one.1.len());
    assert_eq!(one.0.lines, 1_000);
    for threads in [2, 3] {
        let many = run(threads);
        assert_eq!(one.0, many.0, "{threads} threads");
        assert_eq!(one.1, many.1, "{threads} threads");
    }
    // Encoded where they are made (on the line workers), the same findings in the same order,
    // the same totals, and each write's severity the highest of its findings.
    fn encode(f: &Finding, out: &mut Vec<u8>) {
        out.extend_from_slice(f.rule.as_bytes());
        out.extend_from_slice(format!(" {} {:?}\n", f.row, f.cells).as_bytes());
    }
    let mut want = Vec::new();
    one.1.iter().for_each(|f| encode(f, &mut want));
    let severity: std::collections::HashMap<String, Severity> = one
        .1
        .iter()
        .map(|f| {
            let mut e = Vec::new();
            encode(f, &mut e);
            (
                String::from_utf8_lossy(&e).trim_end().to_string(),
                f.severity,
            )
        })
        .collect();
    assert_eq!(severity.len(), one.1.len(), "each finding encodes apart");
    for threads in [1, 2, 3] {
        let o = CheckOptions { threads, ..opts() };
        let mut got = Vec::new();
        let mut writes = 0;
        let i = e
            .check_reader_encoded(
                std::io::Cursor::new(&bytes[..]),
                "big.csv",
                "h".into(),
                &o,
                encode,
                &mut |b, max| {
                    writes += 1;
                    let most = String::from_utf8_lossy(b)
                        .lines()
                        .map(|l| severity[l])
                        .max();
                    assert_eq!(most, Some(max));
                    got.extend_from_slice(b);
                },
            )
            .unwrap();
        assert_eq!(i, one.0, "{threads} threads");
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
        assert!(writes > 100, "{writes} writes");
    }
}

/// A sheet whose cells outrun the hold while the merge pre-pass works beside them, with merged
/// cells in the data (a maker spread over several lines): the threaded read fills them as the
/// single-threaded one does.
#[test]
fn merges_in_a_big_sheet_with_threads() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let head = [
        "STT",
        "Tên hàng hóa",
        "Ký mã hiệu",
        "Nhãn hiệu",
        "Hãng sản xuất",
        "Xuất xứ",
        "Đơn vị tính",
        "Số lượng",
        "Đơn giá trúng thầu",
        "Thành tiền",
    ];
    for (j, h) in head.iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    let rows = 16_000u32; // 160,000 cells: more than the hold
    for i in 1..=rows {
        ws.write_number(i, 0, f64::from(i)).unwrap();
        ws.write_string(i, 1, format!("Bơm tiêm {i}")).unwrap();
        ws.write_string(i, 2, "M-1").unwrap();
        ws.write_string(i, 3, "Hiệu").unwrap();
        if i % 50 != 1 {
            ws.write_string(i, 4, "Hãng A").unwrap();
        }
        ws.write_string(i, 6, "Cái").unwrap();
        ws.write_number(i, 7, 2.0).unwrap();
        ws.write_number(i, 8, 1000.0).unwrap();
        ws.write_number(i, 9, 2000.0).unwrap();
    }
    // Origin merged over blocks of 50 lines (one origin cell per block, filled down), and a
    // blank maker in the first line of each block.
    let fmt = rust_xlsxwriter::Format::new();
    for b in 0..rows / 50 {
        let (r0, r1) = (1 + b * 50, b * 50 + 50);
        let origin = if b % 2 == 0 {
            "Trung Quốc"
        } else {
            "Việt Nam"
        };
        ws.merge_range(r0, 5, r1, 5, origin, &fmt).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let e = Engine::embedded().unwrap();
    let run = |threads: usize| {
        let mut f = Vec::new();
        let i = e
            .check_reader(
                std::io::Cursor::new(&bytes[..]),
                "merged.xlsx",
                "h".into(),
                &CheckOptions { threads, ..opts() },
                &mut |x| f.push(x),
            )
            .unwrap();
        (i, f)
    };
    let one = run(1);
    assert_eq!(one.0.lines, rows as usize);
    // Every line has an origin once the merges are filled: none is reported blank.
    assert!(one.1.iter().all(|f| !f.message.contains("thiếu xuất xứ")));
    assert_eq!(one.0.summary.totals.lines_foreign, rows as usize / 2);
    for threads in [2, 3] {
        assert_eq!(one, run(threads), "{threads} threads");
    }
}

/// The browser's question from a file's two ends has the answer of the whole file, for every
/// fixture and for a workbook longer than both ends together.
#[test]
fn reads_as_cells_from_the_edges_alone() {
    use rust_xlsxwriter::Workbook;
    let e = engine();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Tên hàng hóa").unwrap();
    ws.write_string(0, 1, "Xuất xứ").unwrap();
    for r in 1..30_000u32 {
        // Texts that do not repeat, so the zip stays long.
        ws.write_string(r, 0, format!("Hàng {r} {}", r.wrapping_mul(2_654_435_761)))
            .unwrap();
        ws.write_string(r, 1, "Việt Nam").unwrap();
    }
    let big = wb.save_to_buffer().unwrap();
    assert!(big.len() > 3 * 64 * 1024, "{}", big.len());
    let mut files = vec![("big.xlsx".to_string(), big)];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, std::fs::read(&path).unwrap()));
        }
    }
    files.push(("empty.xlsx".into(), Vec::new()));
    let mut yes = 0;
    for (name, bytes) in &files {
        let (head, tail) = super::probe_edges(bytes.len() as u64);
        let cut = |r: std::ops::Range<u64>| &bytes[r.start as usize..r.end as usize];
        let whole = e.reads_as_cells(bytes, name);
        let edges = e.reads_as_cells_from_edges(cut(head), cut(tail), bytes.len() as u64, name);
        assert_eq!(whole, edges, "{name}");
        yes += usize::from(whole.is_some());
    }
    assert!(yes >= 3, "{yes}");
}

#[test]
fn a_repeated_item_is_still_checked_line_by_line() {
    // Rows 2, 3 and 5 hold the same item: the rules that stayed quiet on row 2 are remembered
    // (engine/quiet.rs), the one that fired fires again on each line with that line's cell,
    // and a rule that reads numbers still reads each line's own.
    let csv = "STT,Tên hàng hóa,Ký mã hiệu,Nhãn hiệu,Hãng sản xuất,Xuất xứ,Đơn vị tính,Số lượng,Đơn giá trúng thầu,Thành tiền\n\
        1,Bơm tiêm 5ml,BT-5,,Vinahankook,Việt Nam,Cái,10,1000,10000\n\
        2,Bơm tiêm 5ml,BT-5,,Vinahankook,Việt Nam,Cái,5,1000,5000\n\
        3,Găng tay khám,GT-1,Vglove,Vglove,Malaixia,Đôi,5,2000,10000\n\
        4,Bơm tiêm 5ml,BT-5,,Vinahankook,Việt Nam,Cái,năm,1000,5000\n";
    let e = engine();
    for threads in [1, 2] {
        let o = CheckOptions { threads, ..opts() };
        let mut f = Vec::new();
        e.check_reader(
            std::io::Cursor::new(csv.as_bytes()),
            "repeat.csv",
            "h".into(),
            &o,
            &mut |x| f.push(x),
        )
        .unwrap();
        let got: Vec<(&str, u32, Vec<String>)> = f
            .iter()
            .map(|x| (x.rule.as_str(), x.row, x.cells.clone()))
            .collect();
        let want = vec![
            ("VN-R11", 2, vec!["D2".to_string()]),
            ("VN-R11", 3, vec!["D3".to_string()]),
            ("VN-R11", 5, vec!["D5".to_string()]),
            ("VN-R15", 5, vec!["H5".to_string()]),
        ];
        assert_eq!(got, want, "{threads} threads");
    }
}

#[test]
fn remembering_quiet_rules_changes_no_finding() {
    // Every fixture, with the engine's own registry (real look-ups), checked on one thread with
    // lines remembered (engine/quiet.rs) and with nothing remembered: the same report.
    let e = Engine::embedded().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut findings = 0;
    for p in paths {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        for lang in [Lang::Vi, Lang::En] {
            let o = CheckOptions { lang, ..opts() };
            let run = |off: bool| {
                super::quiet::OFF.with(|c| c.set(off));
                let mut f = Vec::new();
                let i = e
                    .check_reader(
                        std::io::Cursor::new(&bytes[..]),
                        &name,
                        "h".into(),
                        &o,
                        &mut |x| f.push(x),
                    )
                    .map_err(|e| e.to_string());
                super::quiet::OFF.with(|c| c.set(false));
                (i, f)
            };
            let (remembered, plain) = (run(false), run(true));
            findings += plain.1.len();
            assert_eq!(remembered, plain, "{name}");
        }
    }
    assert!(
        findings > 100,
        "{findings} findings: the fixtures exercise the rules"
    );
}
