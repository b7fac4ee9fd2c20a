"""The side-by-side benchmark: suites of cells as data (`suites`, torch-free) and running them (`runner`)."""
