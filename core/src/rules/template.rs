//! Message templates: literal text with `{name}` placeholders, checked when the pack loads.
//! `{{` and `}}` write a literal brace.

/// A placeholder a template or a `say` text may use. Checked against this list at load.
#[derive(Debug, Clone, PartialEq)]
pub enum Var {
    /// The item name as read.
    Item,
    Row,
    Sheet,
    /// What the tests that held said (their `say` texts), joined with "; ".
    Matched,
    /// Facts the rule assumed because the sheet did not state them.
    Assumptions,
    /// Domestic equivalents from the registry (maker – product).
    Alternatives,
    /// In a `say` text: the raw text and cell of the field tested.
    Raw,
    Cell,
    /// `{manufacturer}`: the cell text; `{manufacturer.cell}`: its address.
    Field(crate::model::Field),
    FieldCell(crate::model::Field),
    /// `{value.domestic_share}`, `{package.selection_method}`, `{param.d_min}`, `{registry.domestic_makers}`.
    Value(String),
    Package(String),
    Param(String),
    Registry(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Var(Var),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parse a template; `known` checks the dotted names (`value.x`, `package.x`, `registry.x`).
    /// The error says which placeholder is wrong and what is allowed.
    pub fn parse(s: &str, known: &dyn Fn(&Var) -> bool) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(format!("placeholder `{{{name}` is not closed with `}}`"));
                    }
                    let var = parse_var(name.trim()).ok_or_else(|| {
                        format!(
                            "unknown placeholder `{{{name}}}`; expected item, row, sheet, matched, \
                             assumptions, alternatives, raw, cell, a field id (e.g. manufacturer), \
                             FIELD.cell, value.NAME, package.NAME, param.NAME or registry.NAME"
                        )
                    })?;
                    if !known(&var) {
                        return Err(format!(
                            "placeholder `{{{name}}}` names nothing this rule has"
                        ));
                    }
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Var(var));
                }
                '}' => return Err("a lone `}`: write `}}` for a literal brace".into()),
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Template { parts })
    }

    pub fn render(&self, resolve: &dyn Fn(&Var) -> String) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Var(v) => out.push_str(&resolve(v)),
            }
        }
        out
    }

    pub fn vars(&self) -> impl Iterator<Item = &Var> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v),
            Part::Lit(_) => None,
        })
    }
}

fn parse_var(name: &str) -> Option<Var> {
    use crate::model::Field;
    Some(match name {
        "item" => Var::Item,
        "row" => Var::Row,
        "sheet" => Var::Sheet,
        "matched" => Var::Matched,
        "assumptions" => Var::Assumptions,
        "alternatives" => Var::Alternatives,
        "raw" => Var::Raw,
        "cell" => Var::Cell,
        _ => {
            if let Some((head, tail)) = name.split_once('.') {
                match head {
                    "value" => Var::Value(tail.to_string()),
                    "package" => Var::Package(tail.to_string()),
                    "param" => Var::Param(tail.to_string()),
                    "registry" => Var::Registry(tail.to_string()),
                    f if tail == "cell" => Var::FieldCell(Field::from_id(f)?),
                    _ => return None,
                }
            } else {
                Var::Field(Field::from_id(name)?)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;

    #[test]
    fn parses_and_renders() {
        let t = Template::parse(
            "Thiếu {manufacturer} (ô {manufacturer.cell}) {{x}}",
            &|_| true,
        )
        .unwrap();
        let s = t.render(&|v| match v {
            Var::Field(Field::Manufacturer) => "".into(),
            Var::FieldCell(Field::Manufacturer) => "E12".into(),
            _ => "?".into(),
        });
        assert_eq!(s, "Thiếu  (ô E12) {x}");
    }

    #[test]
    fn rejects_unknown_and_unclosed() {
        let e = Template::parse("a {nope} b", &|_| true).unwrap_err();
        assert!(e.contains("`{nope}`"), "{e}");
        assert!(Template::parse("a {item", &|_| true).is_err());
        assert!(Template::parse("a } b", &|_| true).is_err());
        assert!(Template::parse("{value.x}", &|_| false).is_err());
    }
}
