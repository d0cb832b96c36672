/// The procedure report as Markdown and as a self-contained HTML page, both from the same sections
/// in the same order; cells are escaped for each format.
extension ProcedureReport {
    public var markdown: String {
        var out = "# \(title)\n"
        for section in sections {
            out += "\n## \(section.title)\n\n\(section.note)\n\n"
            guard !section.rows.isEmpty else {
                out += "(none)\n"
                continue
            }
            out += "| " + section.columns.map(Self.markdownCell).joined(separator: " | ") + " |\n"
            out += "|" + section.columns.map { _ in " --- |" }.joined() + "\n"
            for row in section.rows { out += "| " + row.map(Self.markdownCell).joined(separator: " | ") + " |\n" }
        }
        return out
    }

    public var html: String {
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escaped(title))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}\
            td,th{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top;font-size:90%}</style>
            </head><body>
            <h1>\(Self.escaped(title))</h1>

            """
        for section in sections {
            out += "<h2>\(Self.escaped(section.title))</h2>\n<p>\(Self.escaped(section.note))</p>\n"
            guard !section.rows.isEmpty else {
                out += "<p>(none)</p>\n"
                continue
            }
            out += "<table>\n<tr>" + section.columns.map { "<th>\(Self.escaped($0))</th>" }.joined() + "</tr>\n"
            for row in section.rows { out += "<tr>" + row.map { "<td>\(Self.escaped($0))</td>" }.joined() + "</tr>\n" }
            out += "</table>\n"
        }
        return out + "</body></html>\n"
    }

    /// A table cell in Markdown: pipes escaped, line breaks as spaces.
    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
