"""Small in-memory drivers that honour each capability contract; the conformance suites run on them."""
