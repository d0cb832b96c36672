// The IMAP protocol layer arrives here (issue 6, in progress).
