// The page model of a report: a title, a few facts, and a list of sections, each a list of blocks
// (paragraphs, tables, figures with inline SVG). `html()` writes one self-contained file: inline CSS, no
// script, no external font, image or link; readable offline and printable (figures do not split pages).

import Foundation

/// One piece of a section.
public enum ReportBlock: Sendable {
    case paragraph(String)
    /// A table: header cells and rows of cells; `numeric` columns are right-aligned.
    case table(header: [String], rows: [[String]], numeric: Set<Int>)
    /// An inline SVG figure (the text of an `<svg>` element) with its caption.
    case figure(svg: String, caption: String)
}

/// A titled section of a report page.
public struct ReportSection: Sendable {
    public var id: String
    public var title: String
    public var blocks: [ReportBlock]

    public init(id: String, title: String, blocks: [ReportBlock]) {
        self.id = id; self.title = title; self.blocks = blocks
    }
}

/// A whole report page.
public struct ReportPage: Sendable {
    public var title: String
    /// Label → value lines shown under the title (inputs, date-free facts).
    public var facts: [(String, String)]
    public var sections: [ReportSection]

    public init(title: String, facts: [(String, String)] = [], sections: [ReportSection]) {
        self.title = title; self.facts = facts; self.sections = sections
    }

    /// Every figure's SVG text, in page order (tests parse each as XML).
    public var svgs: [String] {
        sections.flatMap { $0.blocks.compactMap { if case .figure(let svg, _) = $0 { return svg } else { return nil } } }
    }

    static let css = """
    body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:24px auto;max-width:1180px;padding:0 16px;line-height:1.4}
    h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
    dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:.92em}dl.facts dt{color:#555}dl.facts dd{margin:0;font-family:monospace}
    nav ul{columns:3;font-size:.92em}
    table{border-collapse:collapse;font-size:.86em;margin:.6em 0}th,td{border:1px solid #ddd;padding:2px 7px}th{background:#f3f3f3;text-align:left}
    td.n{text-align:right;font-variant-numeric:tabular-nums}tr:nth-child(even) td{background:#fafafa}
    figure{margin:1em 0;break-inside:avoid;page-break-inside:avoid}figure svg{max-width:100%;height:auto;border:1px solid #eee}
    figcaption{font-size:.88em;color:#444;max-width:900px}
    .figs{display:flex;flex-wrap:wrap;gap:12px}.figs figure{flex:1 1 520px}
    @media print{body{margin:0;max-width:none}nav{display:none}h2{break-after:avoid}}
    """

    public func html() -> String {
        var s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>\(xmlEscape(title))</title>\n<style>\n\(Self.css)\n</style>\n</head>\n<body>\n"
        s += "<h1>\(xmlEscape(title))</h1>\n"
        if !facts.isEmpty {
            s += "<dl class=\"facts\">\n" + facts.map { "<dt>\(xmlEscape($0.0))</dt><dd>\(xmlEscape($0.1))</dd>" }.joined(separator: "\n") + "\n</dl>\n"
        }
        s += "<nav><ul>\n" + sections.map { "<li><a href=\"#\(xmlEscape($0.id))\">\(xmlEscape($0.title))</a></li>" }.joined(separator: "\n") + "\n</ul></nav>\n"
        for section in sections {
            s += "<section id=\"\(xmlEscape(section.id))\">\n<h2>\(xmlEscape(section.title))</h2>\n"
            var openFigs = false
            for block in section.blocks {
                if case .figure = block { if !openFigs { s += "<div class=\"figs\">\n"; openFigs = true } }
                else if openFigs { s += "</div>\n"; openFigs = false }
                switch block {
                case .paragraph(let text): s += "<p>\(xmlEscape(text))</p>\n"
                case .table(let header, let rows, let numeric):
                    s += "<table>\n<thead><tr>" + header.map { "<th>\(xmlEscape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
                    for row in rows {
                        s += "<tr>" + row.enumerated().map { numeric.contains($0.offset) ? "<td class=\"n\">\(xmlEscape($0.element))</td>" : "<td>\(xmlEscape($0.element))</td>" }.joined() + "</tr>\n"
                    }
                    s += "</tbody>\n</table>\n"
                case .figure(let svg, let caption):
                    s += "<figure>\n\(svg)\n<figcaption>\(xmlEscape(caption))</figcaption>\n</figure>\n"
                }
            }
            if openFigs { s += "</div>\n" }
            s += "</section>\n"
        }
        return s + "</body>\n</html>\n"
    }
}

/// `0.123456` → `"0.1235"`; nil → `"–"`.
func fmt(_ v: Double?, _ digits: Int = 4) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "–" }
