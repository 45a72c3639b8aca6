/** An error that is the user's to fix (a port in use, a data folder taken): printed as its message alone. */
export class StartupError extends Error {}
