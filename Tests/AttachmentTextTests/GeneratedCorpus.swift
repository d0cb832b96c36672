import Foundation
import TestSupport

/// The generated test corpus: documents made by the libraries people's tools use (python-docx,
/// openpyxl, python-pptx, odfpy, fpdf2), each with marker words where documents keep text — body,
/// tables, headers and footers, slide notes, spreadsheet cells — plus RTF and ZIP files written
/// by hand. Made afresh by every test run in a temporary directory.
enum GeneratedCorpus {
    /// The markers each file must yield, by file name.
    static let markers: [String: [String]] = [
        "report.docx": ["markerdocxbody", "markerdocxtable", "markerdocxheader", "markerdocxfooter"],
        "ledger.xlsx": ["markerxlsxsheetname", "markerxlsxshared", "4711081542", "markerxlsxsecond"],
        "inline.xlsx": ["markerxlsxinline & more"],
        "deck.pptx": ["markerpptxtitle", "markerpptxbody", "markerpptxtable", "markerpptxnotes"],
        "letter.odt": ["markerodtbody", "markerodttable", "markerodtheader", "markerodtfooter"],
        "figures.ods": ["markerodssheet", "markerodscell", "90210"],
        "talk.odp": ["markerodpslide", "markerodpnotes"],
        "invoice.pdf": ["markerpdfbody"],
        "memo.rtf": ["markerrtfbody", "Straße", "cafés", "€", "markerrtfheader"],
        "bundle.zip": ["markerdocxbody", "markerdocxfooter", "markerzipnotes", "markerzipmemo", "markerziphtml", "inner/report.docx"],
    ]

    /// Where the corpus was made, or nil when no Python with the libraries is installed (a skip
    /// outside CI; under CI=true the caller records an issue: .ci/run installs them).
    static func make(in directory: URL) async throws -> URL? {
        for python in ["python3", "/usr/bin/python3"] {
            let check = try await ChildProcess.run([python, "-c", "import docx, openpyxl, pptx, odf, fpdf"])
            guard check.status == 0 else { continue }
            let result = try await ChildProcess.run([python, "-c", script, directory.path])
            guard result.status == 0 else { throw CorpusFailed(stderr: result.stderr) }
            return directory
        }
        return nil
    }

    struct CorpusFailed: Error { let stderr: String }

    static let script = #"""
import sys, os, zipfile, io
out = sys.argv[1]
def path(name): return os.path.join(out, name)

import docx
d = docx.Document()
d.add_paragraph("Contract clause markerdocxbody applies.")
t = d.add_table(rows=1, cols=2)
t.cell(0, 0).text = "markerdocxtable"
t.cell(0, 1).text = "Strasse"
s = d.sections[0]
s.header.paragraphs[0].text = "markerdocxheader"
s.footer.paragraphs[0].text = "markerdocxfooter"
d.save(path("report.docx"))

import openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "markerxlsxsheetname"
ws["A1"] = "markerxlsxshared"
ws["B2"] = 4711081542
ws2 = wb.create_sheet("Second")
ws2["C3"] = "markerxlsxsecond"
wb.save(path("ledger.xlsx"))

# openpyxl writes shared strings only; an inline string cell (ECMA-376 §18.3.1.53) by hand.
with zipfile.ZipFile(path("inline.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Inline" sheetId="1"/></sheets></workbook>')
    z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>markerxlsxinline &amp; more</t></is></c><c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>')

from pptx import Presentation
from pptx.util import Inches
p = Presentation()
slide = p.slides.add_slide(p.slide_layouts[1])
slide.shapes.title.text = "markerpptxtitle"
slide.placeholders[1].text = "markerpptxbody"
rows = slide.shapes.add_table(1, 1, Inches(1), Inches(4), Inches(4), Inches(1)).table
rows.cell(0, 0).text = "markerpptxtable"
slide.notes_slide.notes_text_frame.text = "markerpptxnotes"
p.save(path("deck.pptx"))

from odf.opendocument import OpenDocumentText, OpenDocumentSpreadsheet, OpenDocumentPresentation
from odf.style import MasterPage, PageLayout, Header, Footer, Style, MasterPage
from odf.text import P
from odf.table import Table, TableRow, TableCell, TableColumn
from odf.draw import Page, Frame, TextBox
from odf.presentation import Notes

doc = OpenDocumentText()
layout = PageLayout(name="pm1")
doc.automaticstyles.addElement(layout)
master = MasterPage(name="Standard", pagelayoutname=layout)
header = Header(); header.addElement(P(text="markerodtheader")); master.addElement(header)
footer = Footer(); footer.addElement(P(text="markerodtfooter")); master.addElement(footer)
doc.masterstyles.addElement(master)
doc.text.addElement(P(text="Body markerodtbody here"))
table = Table(name="T")
table.addElement(TableColumn())
row = TableRow(); cell = TableCell(); cell.addElement(P(text="markerodttable")); row.addElement(cell); table.addElement(row)
doc.text.addElement(table)
doc.save(path("letter.odt"))

sheet = OpenDocumentSpreadsheet()
table = Table(name="markerodssheet")
row = TableRow()
cell = TableCell(valuetype="string"); cell.addElement(P(text="markerodscell")); row.addElement(cell)
cell = TableCell(valuetype="float", value="90210"); cell.addElement(P(text="90210")); row.addElement(cell)
table.addElement(row)
sheet.spreadsheet.addElement(table)
sheet.save(path("figures.ods"))

pres = OpenDocumentPresentation()
layout = PageLayout(name="pl1")
pres.automaticstyles.addElement(layout)
master = MasterPage(name="Default", pagelayoutname=layout)
pres.masterstyles.addElement(master)
page = Page(masterpagename=master)
frame = Frame(width="10cm", height="3cm", x="1cm", y="1cm")
box = TextBox(); box.addElement(P(text="markerodpslide")); frame.addElement(box); page.addElement(frame)
notes = Notes()
nframe = Frame(width="10cm", height="3cm", x="1cm", y="1cm")
nbox = TextBox(); nbox.addElement(P(text="markerodpnotes")); nframe.addElement(nbox); notes.addElement(nframe)
page.addElement(notes)
pres.presentation.addElement(page)
pres.save(path("talk.odp"))

from fpdf import FPDF
pdf = FPDF(); pdf.add_page(); pdf.set_font("helvetica", size=12)
pdf.cell(text="Invoice markerpdfbody total")
pdf.output(path("invoice.pdf"))
pdf = FPDF(); pdf.add_page(); pdf.set_font("helvetica", size=12)
pdf.cell(text="markerpdfsecret")
pdf.set_encryption(owner_password="owner", user_password="user")
pdf.output(path("locked.pdf"))

rtf = (r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Decoyfontname;}}{\colortbl;\red0\green0\blue0;}"
       r"{\*\generator Decoygenerator;}{\info{\title Decoytitle}}"
       "\n" r"\pard markerrtfbody Stra\'dfe caf\u233?s \uc0\u8364 end\par"
       r"{\header markerrtfheader}\par}")
open(path("memo.rtf"), "w").write(rtf)

with zipfile.ZipFile(path("bundle.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.write(path("report.docx"), "inner/report.docx")
    z.writestr("notes.txt", "markerzipnotes in a text member")
    z.writestr("page.html", "<p>markerziphtml</p>")
    z.writestr("memo.rtf", rtf.replace("markerrtfbody", "markerzipmemo"))
"""#
}
