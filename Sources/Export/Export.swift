// Export: mbox / Maildir / EML writers, manifests, signatures, verify-export.
// (Scaffold; the export issue fills it in.)
