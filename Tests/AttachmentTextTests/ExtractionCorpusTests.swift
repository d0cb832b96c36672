import AttachmentText
import Foundation
import Testing
import TestSupport

/// Recall on the generated corpus: every marker of every supported file is found.
@Suite struct ExtractionCorpusTests {
    @Test func everyMarkerOfEverySupportedFileIsFound() async throws {
        try await withTemporaryDirectory { directory in
            guard let corpus = try await GeneratedCorpus.make(in: directory) else {
                if Corpus.isCI { Issue.record("python-docx, openpyxl, python-pptx, odfpy and fpdf2 are missing (CI installs them)") }
                else { print("skipped: no python3 with python-docx, openpyxl, python-pptx, odfpy and fpdf2") }
                return
            }
            let extractor = AttachmentExtractor()
            guard extractor.pdf.isAvailable || !Corpus.isCI else {
                Issue.record("pdftotext is missing (CI installs poppler-utils)")
                return
            }
            for (name, markers) in GeneratedCorpus.markers.sorted(by: { $0.key < $1.key }) {
                if name.hasSuffix(".pdf"), !extractor.pdf.isAvailable { continue }
                let bytes = try Array(Data(contentsOf: corpus.appendingPathComponent(name)))
                let result = await extractor.extract(AttachmentDocument(fileName: name, mediaType: "application/octet-stream", bytes: bytes))
                #expect(result.state == .extracted, "\(name): \(result.state)")
                for marker in markers {
                    #expect(result.text.contains(marker), "\(name) lacks \(marker): \(result.text)")
                }
            }
        }
    }

    @Test func theDeclaredMediaTypeIsEnoughWithoutAFileName() async throws {
        try await withTemporaryDirectory { directory in
            guard let corpus = try await GeneratedCorpus.make(in: directory) else { return }
            let bytes = try Array(Data(contentsOf: corpus.appendingPathComponent("letter.odt")))
            let result = await AttachmentExtractor().extract(
                AttachmentDocument(fileName: nil, mediaType: "application/vnd.oasis.opendocument.text", bytes: bytes))
            #expect(result.text.contains("markerodtbody"))
        }
    }

    @Test func anEncryptedPDFIsReportedEncrypted() async throws {
        try await withTemporaryDirectory { directory in
            guard let corpus = try await GeneratedCorpus.make(in: directory), PDFTextTool().isAvailable else { return }
            let bytes = try Array(Data(contentsOf: corpus.appendingPathComponent("locked.pdf")))
            let result = await AttachmentExtractor().extract(AttachmentDocument(fileName: "locked.pdf", mediaType: "application/pdf", bytes: bytes))
            #expect(result.state == .notExtracted(.encrypted))
            #expect(!result.text.contains("markerpdfsecret"))
        }
    }

    @Test func aTruncatedDocxIsBroken() async throws {
        try await withTemporaryDirectory { directory in
            guard let corpus = try await GeneratedCorpus.make(in: directory) else { return }
            let bytes = try Array(Data(contentsOf: corpus.appendingPathComponent("report.docx")))
            for cut in [bytes.count / 2, bytes.count - 30, 100] {
                let result = await AttachmentExtractor().extract(
                    AttachmentDocument(fileName: "report.docx", mediaType: "application/octet-stream", bytes: Array(bytes.prefix(cut))))
                #expect(result.state == .notExtracted(.broken), "cut at \(cut)")
            }
        }
    }

    @Test func aZipInsideAZipIsNotOpenedAndSaysSo() async throws {
        try await withTemporaryDirectory { directory in
            guard let corpus = try await GeneratedCorpus.make(in: directory) else { return }
            let inner = try Data(contentsOf: corpus.appendingPathComponent("bundle.zip"))
            let outer = corpus.appendingPathComponent("outer.zip")
            let result = try await ChildProcess.run(["python3", "-c", """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], "w") as z:
                    z.writestr("bundle.zip", open(sys.argv[2], "rb").read())
                    z.writestr("readme.txt", "markerouterreadme")
                """, outer.path, corpus.appendingPathComponent("bundle.zip").path])
            #expect(result.status == 0)
            _ = inner
            let extracted = await AttachmentExtractor().extract(
                AttachmentDocument(fileName: "outer.zip", mediaType: "application/zip", bytes: try Array(Data(contentsOf: outer))))
            #expect(extracted.state == .notExtracted(.unsupportedType))
            #expect(extracted.text.contains("markerouterreadme"))
            #expect(!extracted.text.contains("markerzipnotes"))
        }
    }
}
