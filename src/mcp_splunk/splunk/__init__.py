"""Everything that talks to Splunk. This package is the only code that imports splunklib."""
