"""Internal helpers: scikit-learn compatibility shim, devices and seeding."""
