//! The pages `reef doc` writes: one per module (its doc, then every public
//! function with its heads, doc and examples) and an index, in Markdown or
//! in static HTML. Prose is Markdown as written; the HTML page renders the
//! little of it the stdlib's docs use (paragraphs, `- ` lists, `code`).

use std::fmt::Write;

use reef_vm::compiler::docs::examples::{segments, Segment, CONTINUE, PROMPT};
use reef_vm::compiler::docs::summary;

use super::lookup::{Docs, Entry};

/// `md` or `html`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Format {
    Markdown,
    Html,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }
}

/// An example as the REPL shows it: prompt, input, expected result.
fn example_text(out: &mut String, input: &str, expected: Option<&str>) {
    for (i, line) in input.lines().enumerate() {
        let p = if i == 0 { PROMPT } else { CONTINUE };
        let _ = writeln!(out, "{p}{line}");
    }
    if let Some(e) = expected {
        let _ = writeln!(out, "{e}");
    }
}

/// The heads of a function, one a line, qualified by its module (but the
/// built-ins of `kernel`, called without one).
fn heads(module: &str, e: &Entry) -> String {
    let prefix = if module == "kernel" {
        String::new()
    } else {
        format!("{module}.")
    };
    e.func
        .heads
        .iter()
        .map(|h| format!("{prefix}{h}\n"))
        .collect()
}

/// One module's page in Markdown.
pub(crate) fn markdown(d: &Docs) -> String {
    let mut out = format!("# {}\n\n", d.name);
    if let Some(doc) = &d.doc {
        out.push_str(&markdown_doc(doc));
        out.push('\n');
    }
    let public: Vec<&Entry> = d.public().collect();
    if public.is_empty() {
        return out;
    }
    out.push_str("## Functions\n\n");
    for e in &public {
        let _ = writeln!(
            out,
            "- [`{}/{}`](#{}{}): {}",
            e.func.name,
            e.func.arity,
            e.func.name,
            e.func.arity,
            e.func.summary()
        );
    }
    for e in public {
        let _ = write!(
            out,
            "\n### {}/{}\n\n```reef\n{}```\n\n",
            e.func.name,
            e.func.arity,
            heads(&d.name, e)
        );
        match &e.func.doc {
            Some(doc) => out.push_str(&markdown_doc(doc)),
            None => out.push_str("(no documentation)\n"),
        }
    }
    out
}

/// A doc text in Markdown: prose as written, examples in `reef` blocks.
pub(crate) fn markdown_doc(doc: &str) -> String {
    let mut out = String::new();
    for (i, seg) in segments(doc).iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match seg {
            Segment::Text(t) => {
                out.push_str(t);
                out.push('\n');
            }
            Segment::Examples(exs) => {
                out.push_str("```reef\n");
                for ex in exs {
                    example_text(&mut out, &ex.input, ex.expected.as_deref());
                }
                out.push_str("```\n");
            }
        }
    }
    out
}

/// The index page: every module with the first paragraph of its doc.
pub(crate) fn index(modules: &[Docs], format: Format) -> String {
    match format {
        Format::Markdown => {
            let mut out = String::from("# Modules\n\n");
            for d in modules {
                let s = d.doc.as_deref().map(summary).unwrap_or_default();
                let _ = writeln!(out, "- [{0}]({0}.md): {s}", d.name);
            }
            out
        }
        Format::Html => {
            let mut body = String::from("<h1>Modules</h1>\n<ul>\n");
            for d in modules {
                let s = d.doc.as_deref().map(summary).unwrap_or_default();
                let _ = writeln!(
                    body,
                    "<li><a href=\"{0}.html\">{0}</a>: {1}</li>",
                    escape(&d.name),
                    inline(&s)
                );
            }
            body.push_str("</ul>\n");
            page("Modules", &body)
        }
    }
}

/// One module's page in HTML.
pub(crate) fn html(d: &Docs) -> String {
    let mut body = format!(
        "<p><a href=\"index.html\">Modules</a></p>\n<h1>{}</h1>\n",
        escape(&d.name)
    );
    if let Some(doc) = &d.doc {
        body.push_str(&html_doc(doc));
    }
    let public: Vec<&Entry> = d.public().collect();
    if !public.is_empty() {
        body.push_str("<h2>Functions</h2>\n<ul>\n");
        for e in &public {
            let _ = writeln!(
                body,
                "<li><a href=\"#{0}-{1}\"><code>{0}/{1}</code></a>: {2}</li>",
                escape(&e.func.name),
                e.func.arity,
                inline(&e.func.summary())
            );
        }
        body.push_str("</ul>\n");
    }
    for e in public {
        let _ = write!(
            body,
            "<h3 id=\"{0}-{1}\">{0}/{1}</h3>\n<pre><code>{2}</code></pre>\n",
            escape(&e.func.name),
            e.func.arity,
            escape(&heads(&d.name, e))
        );
        match &e.func.doc {
            Some(doc) => body.push_str(&html_doc(doc)),
            None => body.push_str("<p>(no documentation)</p>\n"),
        }
    }
    page(&d.name, &body)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>body {{ font-family: sans-serif; max-width: 50em; margin: auto; }} \
         pre {{ background: #f4f4f4; padding: 0.5em; }}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(title),
        body
    )
}

fn html_doc(doc: &str) -> String {
    let mut out = String::new();
    for seg in segments(doc) {
        match seg {
            Segment::Text(t) => prose_html(&mut out, &t),
            Segment::Examples(exs) => {
                let mut text = String::new();
                for ex in &exs {
                    example_text(&mut text, &ex.input, ex.expected.as_deref());
                }
                let _ = writeln!(out, "<pre><code>{}</code></pre>", escape(&text));
            }
        }
    }
    out
}

/// Prose in HTML: paragraphs (blank-line separated), lists of `- ` lines,
/// and fenced code blocks.
fn prose_html(out: &mut String, text: &str) {
    let mut para: Vec<&str> = Vec::new();
    let mut fence: Option<Vec<&str>> = None;
    for line in text.lines().chain([""]) {
        if let Some(code) = &mut fence {
            if line.trim_start().starts_with("```") {
                let _ = writeln!(out, "<pre><code>{}</code></pre>", escape(&code.join("\n")));
                fence = None;
            } else {
                code.push(line);
            }
            continue;
        }
        let opens = line.trim_start().starts_with("```");
        if line.trim().is_empty() || opens {
            paragraph_html(out, &para);
            para.clear();
            if opens {
                fence = Some(Vec::new());
            }
        } else {
            para.push(line);
        }
    }
    if let Some(code) = fence {
        let _ = writeln!(out, "<pre><code>{}</code></pre>", escape(&code.join("\n")));
    }
}

fn paragraph_html(out: &mut String, lines: &[&str]) {
    if lines.is_empty() {
        return;
    }
    if lines[0].trim_start().starts_with("- ") {
        // A list: a `- ` line starts an item, other lines continue it.
        let mut items: Vec<String> = Vec::new();
        for l in lines {
            match l.trim_start().strip_prefix("- ") {
                Some(item) => items.push(item.to_string()),
                None => {
                    if let Some(last) = items.last_mut() {
                        last.push(' ');
                        last.push_str(l.trim());
                    }
                }
            }
        }
        out.push_str("<ul>\n");
        for item in items {
            let _ = writeln!(out, "<li>{}</li>", inline(&item));
        }
        out.push_str("</ul>\n");
    } else {
        let _ = writeln!(out, "<p>{}</p>", inline(&lines.join(" ")));
    }
}

/// Escapes text for HTML, turning `code` spans into `<code>`.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
