// RetentionTests: see the issue; the tests of the module land here.
import Testing
