// Retention: policy files, their evaluation, legal holds, purge plans and their execution.
// (Scaffold; the retention issue fills it in.)
