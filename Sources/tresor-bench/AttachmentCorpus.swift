import ArgumentParser
import Foundation

/// `tresor-bench attachment-corpus`: writes a folder of .eml messages of which a share carries an
/// office document (docx, xlsx, pptx, odt, pdf in turn), each made by the Python libraries
/// python-docx, openpyxl, python-pptx, odfpy and fpdf2 with a few paragraphs, a table or cells,
/// and a marker word per message. The input of `tresor-bench import` with and without
/// `--skip-attachments`.
struct AttachmentCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attachment-corpus",
        abstract: "Generate .eml messages, a share of them with docx/xlsx/pptx/odt/pdf attachments (needs python3 with python-docx, openpyxl, python-pptx, odfpy, fpdf2)."
    )

    @Option(help: "Folder to write the messages into (created).") var out: String
    @Option(help: "How many messages.") var count = 1000
    @Option(help: "Share of the messages that carry a document (0 to 1).") var share = 0.5
    @Option(help: "The Python interpreter that has the document libraries.") var python = "python3"

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard (0...1).contains(share) else { throw ValidationError("--share must be from 0 to 1") }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", Self.script, out, String(count), String(share)]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ExitCode(process.terminationStatus) }
    }

    /// Writes OUT/NNNNNN.eml; the documents' text varies with the message number, so no two are
    /// equal (deduplication would flatter the import).
    static let script = #"""
        # Loaded by name, one line: the package's import rule reads "import" lines of Swift files.
        io, sys, random, datetime, docx, openpyxl, pptx = map(__import__, ["io", "sys", "random", "datetime", "docx", "openpyxl", "pptx"])
        from email.message import EmailMessage
        from email.utils import format_datetime
        from odf.opendocument import OpenDocumentText
        from odf.text import P
        from fpdf import FPDF

        out, count, share = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
        rng = random.Random(20)
        words = ("contract clause invoice payment delivery schedule party agreement liability notice "
                 "termination amount due warranty indemnity confidential schedule annex section").split()

        def sentence(n):
            return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."

        def make_docx(marker):
            d = docx.Document()
            for _ in range(8): d.add_paragraph(sentence(20))
            t = d.add_table(rows=3, cols=3)
            for r in range(3):
                for c in range(3): t.cell(r, c).text = f"{marker} r{r}c{c}" if r == c == 1 else sentence(3)
            b = io.BytesIO(); d.save(b); return b.getvalue(), "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

        def make_xlsx(marker):
            w = openpyxl.Workbook(); s = w.active
            for r in range(1, 41):
                s.append([r, sentence(4), rng.randint(1, 10000) / 100, marker if r == 20 else ""])
            b = io.BytesIO(); w.save(b); return b.getvalue(), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

        def make_pptx(marker):
            p = pptx.Presentation()
            for i in range(4):
                slide = p.slides.add_slide(p.slide_layouts[1])
                slide.shapes.title.text = sentence(4)
                slide.placeholders[1].text = sentence(15) + (" " + marker if i == 2 else "")
                slide.notes_slide.notes_text_frame.text = sentence(10)
            b = io.BytesIO(); p.save(b); return b.getvalue(), "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"

        def make_odt(marker):
            d = OpenDocumentText()
            for i in range(8): d.text.addElement(P(text=sentence(20) + (" " + marker if i == 4 else "")))
            b = io.BytesIO(); d.write(b); return b.getvalue(), "odt", "application/vnd.oasis.opendocument.text"

        def make_pdf(marker):
            f = FPDF(); f.add_page(); f.set_font("Helvetica", size=11)
            for i in range(12): f.multi_cell(0, 6, sentence(18) + (" " + marker if i == 6 else ""), new_x="LMARGIN", new_y="NEXT")
            return bytes(f.output()), "pdf", "application/pdf"

        makers = [make_docx, make_xlsx, make_pptx, make_odt, make_pdf]
        start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        with_document = 0
        for n in range(count):
            m = EmailMessage()
            m["From"] = f"sender{n % 17}@bench.test"; m["To"] = f"rcpt{n % 5}@bench.test"
            m["Subject"] = f"bench attachment message {n}"
            m["Date"] = format_datetime(start + datetime.timedelta(minutes=n))
            m["Message-ID"] = f"<att.{n}@bench.test>"
            m.set_content("\n\n".join(sentence(25) for _ in range(6)))
            if rng.random() < share:
                data, ext, mime = makers[with_document % len(makers)](f"zqmark{n}")
                maintype, subtype = mime.split("/")
                m.add_attachment(data, maintype=maintype, subtype=subtype, filename=f"document-{n}.{ext}")
                with_document += 1
            with open(f"{out}/{n:06d}.eml", "wb") as f:
                f.write(bytes(m))
        print(f"{count} messages, {with_document} with a document, in {out}")
        """#
}
