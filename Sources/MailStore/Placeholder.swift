// The MailStore façade lands in the next commits.
