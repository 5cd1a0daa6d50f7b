//! `hangviet template FILE.xlsx`: a blank purchase list in the layout the reader knows best.

use crate::lang::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the workbook (an existing file is not overwritten without --force).
    file: PathBuf,
    #[arg(long)]
    force: bool,
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
}

pub fn run(args: Args) -> ExitCode {
    if args.file.exists() && !args.force {
        eprintln!(
            "hangviet: {}: {}",
            args.file.display(),
            args.lang.t(
                "tệp đã có; dùng --force để ghi đè",
                "the file exists; use --force to overwrite it"
            )
        );
        return ExitCode::from(2);
    }
    let bytes = match hangviet_core::report::xlsx::purchase_template() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("hangviet: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(&args.file, bytes) {
        eprintln!("hangviet: {}: {e}", args.file.display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
