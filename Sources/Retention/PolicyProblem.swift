import MailStore

/// One thing wrong with a policy file, e.g.
/// `retention-policies/mail.toml:12: policy "newsletters": retain: "90 days" is not a period like 30d, 18m or 10y`.
public typealias PolicyProblem = FileLineProblem

/// Every problem found while loading the policy files, one per line.
public typealias PolicyLoadError = FileLineProblems
