// TimeStamping: RFC 3161 time stamps, so that an archive's HEAD hash is vouched for by someone
// other than the machine that keeps the archive.
//
// What it does, in the order a stamp travels:
//   TimeStampRequest   the DER TimeStampReq for a SHA-256 digest (RFC 3161 §2.4.1)
//   TimeStampClient    POSTs it to a TSA over HTTP (§3.4) with a timeout, never blocking a thread
//   TimeStampResponse  the TimeStampResp: status (PKIStatusInfo) and the token (§2.4.2)
//   TimeStampToken     the token: a CMS ContentInfo holding SignedData (RFC 5652 §3, §5) whose
//                      encapsulated content is the TSTInfo (RFC 3161 §2.4.2), kept as the exact
//                      DER bytes the TSA sent, so that they can be journaled and checked again
//   TimeStampVerifier  checks a token against the digest that should have been stamped and the
//                      configured CA certificates
//
// Invariants:
// - A token is only ever returned by `TimeStampClient` after `TimeStampVerifier` accepted it:
//   the signature over the signed attributes (RFC 5652 §5.4) with the certificate the ESS
//   signing-certificate attribute names (RFC 3161 §2.4.2, RFC 5816 §2.2), that certificate's
//   critical extended key usage id-kp-timeStamping (RFC 3161 §2.3), its chain to a configured
//   root at the token's genTime, the stamped digest, the nonce and the policy.
// - Token bytes are never re-encoded: `TimeStampToken.derEncoded` is what the TSA signed and
//   sent, and the signed attributes are checked in the encoding they arrived in (only their
//   [0] tag becomes the SET tag, as RFC 5652 §5.4 requires).
// - Parsing accepts DER only (RFC 3161 tokens are DER-encoded in practice; openssl and every
//   TSA tried produce DER). A field whose value equals its DEFAULT is tolerated, since it is
//   never part of what is verified byte for byte.
// - Nothing here blocks a thread: HTTP runs on NIO through AsyncHTTPClient, the timeout is a
//   sleep on an injected clock, and verification is a few signature checks on small inputs.
// - Nothing here knows the archive: callers pass a digest in and journal the token's bytes.
