/**
 * Runs a child process (kwokctl is the engine's only one) with a time limit,
 * and turns a failure into an error carrying the tool's own last words.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export function runCommand(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env: options.env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGTERM' },
      (error, stdout, stderr) => {
        if (error) {
          const tail = lastLines(`${stderr}\n${stdout}`, 8);
          const why = error.killed
            ? `timed out after ${options.timeoutMs} ms`
            : `exited with ${error.code ?? error.signal}`;
          reject(
            new Error(
              `${file.split('/').pop()} ${args.slice(0, 3).join(' ')} ${why}${tail ? `: ${tail}` : ''}`,
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}
