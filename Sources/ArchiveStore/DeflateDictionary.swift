/// A versioned preset dictionary for deflate (RFC 1950 §2.2 FDICT, used here with raw deflate
/// through zlib's `deflateSetDictionary`). The segment header names the version its records
/// were compressed with, so a dictionary, once shipped, must never change: add a new version.
/// Version 0 is "no dictionary".
public struct DeflateDictionary: Sendable, Hashable, CustomStringConvertible {
    public let version: UInt16
    public let bytes: [UInt8]

    public var description: String { "deflate dictionary v\(version) (\(bytes.count) bytes)" }

    public static let none = DeflateDictionary(version: 0, bytes: [])
    public static let v1 = DeflateDictionary(version: 1, bytes: Array(version1Text.utf8))
    /// The dictionary new segments use.
    public static let current = v1

    /// The dictionary a segment header names; nil for a version this build does not know.
    public static func version(_ version: UInt16) -> DeflateDictionary? {
        switch version {
        case 0: DeflateDictionary.none
        case 1: DeflateDictionary.v1
        default: nil
        }
    }

    // zlib looks back at most 32 KiB and prefers the dictionary's end, so the most common
    // strings come last. Header names and values seen in nearly every message of the corpus.
    private static let version1Text = """
        X-Spam-Status: No, score=-2.6 required=5.0 tests=BAYES_00,DKIM_SIGNED,DKIM_VALID,\
        DKIM_VALID_AU,RCVD_IN_DNSWL_NONE,SPF_HELO_NONE,SPF_PASS autolearn=ham version=3.4.6\r
        X-Spam-Checker-Version: SpamAssassin 3.4.6 on mail.example.org\r
        X-Spam-Level: \r
        X-Mailer: Microsoft Outlook 16.0\r
        X-MS-Exchange-Organization-AuthAs: Internal\r
        X-MS-Has-Attach: yes\r
        X-Original-To: \r
        Delivered-To: \r
        List-Id: <dev.lists.example.org>\r
        List-Unsubscribe: <mailto:dev-unsubscribe@lists.example.org>\r
        List-Help: <mailto:dev-help@lists.example.org>\r
        List-Post: <mailto:dev@lists.example.org>\r
        List-Archive: <https://lists.example.org/archive>\r
        Precedence: bulk\r
        Mailing-List: contact dev-help@lists.example.org; run by ezmlm\r
        User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/115.0\r
        Thread-Topic: \r
        Thread-Index: \r
        Importance: Normal\r
        X-Priority: 3 (Normal)\r
        Sender: \r
        Reply-To: \r
        In-Reply-To: <\r
        References: <\r
        Content-Disposition: attachment; filename="\r
        Content-Disposition: inline\r
        Content-Type: application/octet-stream; name="\r
        Content-Type: application/pdf; name="\r
        Content-Type: image/png; name="\r
        Content-Type: image/jpeg; name="\r
        Content-Type: multipart/related; boundary="\r
        Content-Type: multipart/mixed; boundary="----=_Part_\r
        Content-Type: multipart/alternative; boundary="\r
        This is a multi-part message in MIME format.\r
        Content-Type: text/html; charset="utf-8"\r
        Content-Type: text/html; charset=UTF-8\r
        Content-Type: text/plain; charset="iso-8859-1"\r
        Content-Type: text/plain; charset=us-ascii\r
        Content-Type: text/plain; charset="us-ascii"\r
        Content-Type: text/plain; charset=UTF-8; format=flowed\r
        Content-Transfer-Encoding: base64\r
        Content-Transfer-Encoding: 8bit\r
        Content-Transfer-Encoding: 7bit\r
        Content-Transfer-Encoding: quoted-printable\r
        Content-Type: text/plain; charset="utf-8"\r
        Content-Type: text/plain; charset=UTF-8\r
        MIME-Version: 1.0\r
        ARC-Seal: i=1; a=rsa-sha256; t=1700000000; cv=none; d=google.com; s=arc-20160816;\r
        ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com; s=arc-20160816;\r
        ARC-Authentication-Results: i=1; mx.google.com;\r
        Authentication-Results: mx.example.com; dkim=pass header.i=@example.com; spf=pass \
        (domain of designates as permitted sender) smtp.mailfrom=; dmarc=pass (p=NONE sp=NONE dis=NONE)\r
        Received-SPF: pass (example.com: domain of designates as permitted sender) client-ip=;\r
        DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=selector1;\r
        \th=from:to:subject:date:message-id:mime-version:content-type; bh=; b=\r
        Return-Path: <\r
        Received: from localhost (localhost [127.0.0.1])\r
        \tby mail.example.com (Postfix) with ESMTP id\r
        \tfor <; Mon, Tue, Wed, Thu, Fri, Sat, Sun, Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec 2024 +0000 (UTC)\r
        Received: from mail.example.org (mail.example.org [192.0.2.1])\r
        \tby mx.example.com (Postfix) with ESMTPS id\r
        \t(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256)\r
        \tfor <; \r
        Received: by 2002:a05:6000:1 with SMTP id; \r
        Received: from [10.0.0.1] (helo=mail.example.net) by with esmtp (Exim 4.96) (envelope-from <)\r
        Message-ID: <\r
        Message-Id: <\r
        Date: \r
        Subject: Re: \r
        From: \r
        To: \r
        Cc: \r

        Thanks, regards, Best regards, the, and, to, of, for, that, this, with, you, is, on, in, \
        please, will, be, are, have, it, we, not, from, at, as, your, if, can, would, -----Original Message-----\r
        On wrote:\r
        > \r

        """
}
