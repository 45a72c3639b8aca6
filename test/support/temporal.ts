import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../infra/config';
import { temporalBinary } from '../../infra/temporal';
import { refuseInUnitTests } from '../projects';

let runtimeInstalled = false;

/** A real Temporal dev server from the binary setup installed (never downloaded), on a free port. */
export function startTestTemporal(): Promise<TestWorkflowEnvironment> {
  refuseInUnitTests('a Temporal server');
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalBinary(loadConfig()) }, ip: '127.0.0.1' },
  });
}
