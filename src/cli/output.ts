import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import { shownText } from '../common/untrusted-text.js';

/** Options of {@link Output}, from the common flags and the terminal. */
export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean; columns?: number };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Colours on, on both streams; default: per stream, when it is a TTY, NO_COLOR is unset and TERM is not dumb. */
  color?: boolean;
}

/** A progress line that a spinner (on a TTY) or plain lines (elsewhere) show. */
export interface Progress {
  /** A new phase begins: shown at once (the spinner starts again if a question stopped it). */
  step(text: string): void;
  /** How the phase goes: frequent, so without a terminal only one line every few seconds is written. */
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  /** Prints a line above the spinner without stopping it. */
  log(text: string): void;
  stop(): void;
}

/** The visible width of text that may hold colour codes. */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

type Paint = (text: string) => string;

/** The colours the CLI uses; they print plain text when colour is off. */
export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  magenta: Paint;
}

/** The palette of the CLI, with colour or without. */
export function paletteOf(color: boolean): Palette {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return {
    bold: chalk.bold,
    dim: chalk.dim,
    red: chalk.red,
    green: chalk.green,
    yellow: chalk.yellow,
    cyan: chalk.cyan,
    magenta: chalk.magenta,
  };
}

/**
 * The one place that writes: results to stdout, progress, warnings and errors to stderr. With
 * `--json`, stdout gets exactly one JSON document and progress is silent. Spinners only on a TTY.
 */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours of what goes to stdout (results). */
  readonly palette: Palette;
  /** Colours of what goes to stderr (progress, plans, warnings, errors): stderr may be a file when stdout is not. */
  readonly stderrPalette: Palette;
  readonly #stdout: Writable & { isTTY?: boolean };
  readonly #stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly #stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly #stderrColor: boolean;
  #spinner: Progress | undefined;
  #interrupted = false;

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.verbose = options.verbose ?? false;
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.#stdin = options.stdin ?? process.stdin;
    const colorOn = (stream: { isTTY?: boolean }) =>
      options.color ?? (Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb');
    this.palette = paletteOf(colorOn(this.#stdout));
    this.#stderrColor = colorOn(this.#stderr);
    this.stderrPalette = paletteOf(this.#stderrColor);
  }

  /**
   * True when progress may animate: stderr is a terminal, not --json, and the terminal says how
   * wide it is (a spinner divides by the columns: a terminal that reports 0, as some containers'
   * do, made it loop forever).
   */
  get interactive(): boolean {
    const { columns } = this.#stderr;
    return Boolean(this.#stderr.isTTY) && !this.json && typeof columns === 'number' && columns > 0;
  }

  /** Writes result text to stdout (nothing with --json: use {@link printJson}). */
  result(text: string): void {
    if (this.json) return;
    this.#stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes the one JSON document of a --json run. */
  printJson(value: unknown): void {
    this.#stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A progress note on stderr; silent with --json. */
  info(text: string): void {
    if (this.json) return;
    this.#line(text);
  }

  /**
   * What a person must read to answer the question that may follow (the changes it would make),
   * on stderr: with --json too when the question is to be asked at a terminal, since a bare
   * "Proceed?" cannot be answered. Rendered text, whose untrusted parts were made inert.
   */
  beforeQuestion(text: string, asking: boolean): void {
    if (this.json && !(asking && this.canAsk)) return;
    this.#line(text);
  }

  /**
   * A fact about the run on stderr, also with --json (where stdout holds only the result). Like
   * warnings and errors, it is one line of plain text that may quote untrusted text (a file name,
   * an AWS error): it is made inert and cut before it reaches the terminal.
   */
  notice(text: string): void {
    this.#line(shownText(text, MAX_MESSAGE));
  }

  /** Detail shown only with --verbose (a stack trace: each line made inert). */
  debug(text: string): void {
    if (this.verbose)
      this.#line(
        this.stderrPalette.dim(
          text
            .split('\n')
            .map((line) => shownText(line, MAX_MESSAGE))
            .join('\n'),
        ),
      );
  }

  /** A warning on stderr, also with --json: a failure is never silent. */
  warn(text: string): void {
    this.#line(`${this.stderrPalette.yellow('warning:')} ${shownText(text, MAX_MESSAGE)}`);
  }

  /** An error on stderr, with the hint that says what to do next. */
  error(text: string, hint?: string): void {
    this.#spinner?.stop();
    this.#stderr.write(`${this.stderrPalette.red('error:')} ${shownText(text, MAX_MESSAGE)}\n`);
    if (hint) this.#stderr.write(`${this.stderrPalette.dim('hint:')} ${shownText(hint, MAX_MESSAGE)}\n`);
  }

  #line(text: string): void {
    if (this.#spinner) this.#spinner.log(text);
    else this.#stderr.write(`${text}\n`);
  }

  /**
   * A progress indicator: a spinner on a TTY (loaded only then), plain lines otherwise, nothing
   * with --json. It shows `text` at once when given; otherwise from its first step.
   */
  async progress(text?: string): Promise<Progress> {
    if (this.json) return silentProgress;
    if (!this.interactive) {
      if (text) this.#stderr.write(`${text}\n`);
      return this.#plainProgress();
    }
    const { default: ora } = await import('ora');
    // ora colours by the terminal alone: NO_COLOR and TERM=dumb are this palette's to decide.
    const palette = this.stderrPalette;
    // discardStdin would put the terminal in raw mode and, stdin being unread, swallow Ctrl-C:
    // a search hung on a call could then not be stopped. The terminal keeps making it SIGINT.
    const spinner = ora({
      text,
      stream: this.#stderr,
      color: this.#stderrColor ? 'cyan' : false,
      discardStdin: false,
    });
    const progress: Progress = {
      step: (next) => {
        if (spinner.isSpinning) spinner.text = next;
        else {
          spinner.start(next);
          this.#spinner = progress;
        }
      },
      update: (next) => {
        spinner.text = next;
      },
      succeed: (done) => {
        spinner.stopAndPersist({ symbol: palette.green('✔'), text: done });
        this.#spinner = undefined;
      },
      fail: (failed) => {
        spinner.stopAndPersist({ symbol: palette.red('✖'), text: failed });
        this.#spinner = undefined;
      },
      log: (line) => {
        if (!spinner.isSpinning) return void this.#stderr.write(`${line}\n`);
        spinner.clear();
        this.#stderr.write(`${line}\n`);
        spinner.render();
      },
      stop: () => {
        spinner.stop();
        this.#spinner = undefined;
      },
    };
    if (text) progress.step(text);
    return progress;
  }

  #plainProgress(): Progress {
    const write = (line?: string) => {
      if (line) this.#stderr.write(`${line}\n`);
    };
    // Without a spinner every update would be a line of its own: show one every few seconds.
    let last = Date.now();
    const update = (line: string) => {
      if (Date.now() - last < PLAIN_UPDATE_INTERVAL_MS) return;
      last = Date.now();
      write(line);
    };
    const step = (line: string) => {
      last = Date.now();
      write(line);
    };
    return { step, update, succeed: write, fail: write, log: write, stop: () => {} };
  }

  /**
   * Asks a yes/no question on the terminal; false unless the answer starts with y. Ctrl-D (no
   * answer at all) is a plain no. Ctrl-C at the question is a no too (the terminal gives it to the
   * prompt, not as SIGINT), and is remembered: see {@link interrupted}.
   */
  async confirm(question: string): Promise<boolean> {
    this.#spinner?.stop();
    const prompt = createInterface({ input: this.#stdin, output: this.#stderr });
    // The prompt rejects Ctrl-C and Ctrl-D alike, by an AbortError: Ctrl-C is told apart here.
    const asked = new AbortController();
    prompt.once('SIGINT', () => {
      this.#interrupted = true;
      asked.abort();
    });
    // Node 20 releases before readline rejected a question on Ctrl-D close the prompt and leave it unanswered.
    prompt.once('close', () => asked.abort());
    try {
      const answer = await prompt.question(`${question} [y/N] `, { signal: asked.signal });
      return /^y(es)?$/i.test(answer.trim());
    } catch (error) {
      if ((error as Error | undefined)?.name !== 'AbortError') throw error;
      this.#stderr.write('\n');
      return false;
    } finally {
      prompt.close();
    }
  }

  /** True once a question was answered with Ctrl-C: the run then ends with exit code 130. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /** True when a question can be asked (stdin and stderr are terminals). */
  get canAsk(): boolean {
    return Boolean(this.#stdin.isTTY) && Boolean(this.#stderr.isTTY);
  }
}

/** The longest warning, error or notice shown: a pathological message must not flood the terminal. */
const MAX_MESSAGE = 4_000;

/** How often a progress update is written when stderr is not a terminal. */

const PLAIN_UPDATE_INTERVAL_MS = 3_000;

const silentProgress: Progress = { step() {}, update() {}, succeed() {}, fail() {}, log() {}, stop() {} };
