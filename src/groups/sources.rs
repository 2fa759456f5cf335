//! The rule that every number in a catalogue, a definitions file or a scenario's group settings
//! carries its source: each TOML table that holds a number (or a list of numbers) directly must
//! also hold a non-empty `source = "..."` (a table id, a report, or "aanname: ...").

/// Key paths of the tables that hold a number but no source (`group[dementie].rate[2]`).
///
/// Arrays of tables are named by their `id`, `group` or `name` where they have one, else by
/// index, so the message points at the entry a person recognises.
pub fn unsourced_numbers(value: &toml::Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(value, "", false, &mut out);
    out
}

fn is_number(v: &toml::Value) -> bool {
    matches!(v, toml::Value::Integer(_) | toml::Value::Float(_))
}

fn holds_number(v: &toml::Value) -> bool {
    is_number(v) || matches!(v, toml::Value::Array(a) if a.iter().any(holds_number))
}

/// `inherited`: the table is the `path` or `spread` of a sourced parameter (the parameter's
/// source covers it).
fn walk(value: &toml::Value, path: &str, inherited: bool, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(t) => {
            let has_number = t.values().any(holds_number);
            let has_source = t
                .get("source")
                .and_then(|s| s.as_str())
                .is_some_and(|s| !s.trim().is_empty());
            if has_number && !has_source && !inherited {
                out.push(if path.is_empty() {
                    "(top level)".into()
                } else {
                    path.to_string()
                });
            }
            for (k, v) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(v, &p, has_source && (k == "path" || k == "spread"), out);
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                if let toml::Value::Table(t) = v {
                    let name = ["id", "group", "name"]
                        .iter()
                        .find_map(|k| t.get(*k).and_then(|x| x.as_str()))
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string());
                    walk(v, &format!("{path}[{name}]"), false, out);
                }
            }
        }
        _ => {}
    }
}

/// Every table that carries a `source`, with its key path, its value (if it has one) and the
/// source: the list of assumptions an annex prints.
pub fn sourced_entries(value: &toml::Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    collect(value, "", &mut out);
    out
}

fn collect(value: &toml::Value, path: &str, out: &mut Vec<(String, String, String)>) {
    match value {
        toml::Value::Table(t) => {
            if let Some(src) = t.get("source").and_then(|s| s.as_str()) {
                let v = match t.get("value") {
                    Some(toml::Value::Float(f)) => f.to_string(),
                    Some(toml::Value::Integer(i)) => i.to_string(),
                    _ => String::new(),
                };
                out.push((path.to_string(), v, src.to_string()));
            }
            for (k, v) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect(v, &p, out);
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                if let toml::Value::Table(t) = v {
                    let name = ["id", "group", "name", "setting"]
                        .iter()
                        .find_map(|k| t.get(*k).and_then(|x| x.as_str()))
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string());
                    collect(v, &format!("{path}[{name}]"), out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_numbers_without_source() {
        let v: toml::Value = toml::from_str(
            r#"
            title = "x"
            [[group]]
            id = "a"
            age = [65, 105]
            source = "CBS"
            [[group.rate]]
            age = [65, 79]
            value = 0.02
            [[group]]
            id = "b"
            source = "definitie"
            trend = { value = 1.0, source = "aanname: constant" }
            duur = { value = 2.0, source = " " }
            cap = { value = 1.0, source = "aanname", path = { 2030 = 0.5 }, spread = { normal = 0.1 } }
            "#,
        )
        .unwrap();
        assert_eq!(
            unsourced_numbers(&v),
            vec!["group[a].rate[0]".to_string(), "group[b].duur".to_string()]
        );
    }
}
