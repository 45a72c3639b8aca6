/**
 * Node prints an ExperimentalWarning the first time WASI loads (the flite voices run on it). It is expected
 * and says nothing to a user, so the launchers keep it off the console; every other warning still shows.
 */
export function hideExpectedWarnings(): void {
  const [printer] = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /WASI/.test(warning.message)) return;
    printer?.call(process, warning);
  });
}
