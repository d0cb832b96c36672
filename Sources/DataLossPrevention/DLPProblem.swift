import MailStore

/// One thing wrong with a DLP rule file, e.g. `dlp/cards.toml:4: rule "cards": action: "drop" is not …`.
public typealias DLPProblem = FileLineProblem

/// Every problem found in the rule files (all files are read, not only up to the first problem).
public typealias DLPLoadError = FileLineProblems
