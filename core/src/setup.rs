//! Building the engine from the embedded defaults plus the user's extra data, one way for the
//! command line and the browser, so both give the same results for the same options.

use crate::engine::Engine;
use crate::equivalents::DomesticRegistry;
use crate::normalize::Tables;
use crate::rules::Pack;
use crate::Result;

/// The user's extra data: each text file as (source name for messages, text).
#[derive(Default)]
pub struct Extras<'a> {
    /// Rule packs already loaded; one with the embedded pack's id replaces it, others add to it.
    pub packs: Vec<Pack>,
    /// Origin aliases and groups (rules/reference/origins.toml layout).
    pub origins: Vec<(&'a str, &'a str)>,
    /// Header synonyms (rules/reference/headers.toml layout).
    pub headers: Vec<(&'a str, &'a str)>,
    /// Registry files of domestic equivalents, used beside the embedded registry.
    pub registry: Vec<(&'a str, &'a str)>,
}

/// The embedded reference tables extended by the user's origin and header files.
pub fn tables(origins: &[(&str, &str)], headers: &[(&str, &str)]) -> Result<Tables> {
    let mut t = Tables::embedded()?;
    for (source, text) in origins {
        t.origins.extend_from_toml(text, source)?;
    }
    for (source, text) in headers {
        t.headers.extend_from_toml(text, source)?;
    }
    Ok(t)
}

/// The engine: embedded VN pack (replaced or extended by `extras.packs`), tables and registry.
pub fn engine(extras: Extras) -> Result<Engine> {
    // The registry is half of the ~13 ms the engine takes to build and needs nothing else
    // (`embedded` does not read the tables it is given): on two cores it is built beside the
    // pack and the tables, so a check starts reading sooner.
    let (registry, rest) = beside(
        || -> Result<DomesticRegistry> {
            let mut registry = DomesticRegistry::new();
            registry.add_embedded()?;
            for (source, text) in &extras.registry {
                registry.add_file(text, source)?;
            }
            Ok(registry)
        },
        || -> Result<(Vec<Pack>, Tables)> {
            let mut packs = vec![Pack::embedded_vn()?];
            for p in extras.packs {
                match packs.iter_mut().find(|q| q.id == p.id) {
                    Some(slot) => *slot = p,
                    None => packs.push(p),
                }
            }
            Ok((packs, tables(&extras.origins, &extras.headers)?))
        },
    );
    // The pack's and tables' errors first, as when they were built first.
    let (packs, tables) = rest?;
    Engine::new(packs, tables, Box::new(registry?))
}

/// `a` on a thread of its own while `b` runs here (native builds; the browser runs both here).
fn beside<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|s| {
            let a = s.spawn(a);
            let b = b();
            // A panic building the registry is a bug in embedded data: let it show as one.
            let a = a.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (a, b)
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let b = b();
        (a(), b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_extend_and_errors_name_the_source() {
        let e = engine(Extras {
            origins: vec![("mine.toml", "[country.KR]\nnames = [\"Xứ sở kim chi\"]\n")],
            ..Extras::default()
        });
        let e = e
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let o = e.tables().origins.classify("Xứ sở kim chi", "");
        assert_eq!(o.countries, ["KR"]);
        let bad = tables(&[("bad.toml", "[country.KR\n")], &[]);
        let msg = bad.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("bad.toml:"), "{msg}");
    }
}
