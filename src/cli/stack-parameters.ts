import type { Command } from 'commander';
import { regionListSchema, STACK_SETTINGS, type StackSetting, type StackSettingName } from '../settings/settings.js';
import { parseFlag } from './options.js';

/** The deploy flags that become stack parameters; each is optional (absent: keep or default). */
export type StackParameterFlags = Partial<Record<StackSettingName, string>>;

/**
 * Turns deploy flags into template parameters, each checked by its setting's schema before any
 * call. A flag not given is left out, so that an update keeps the deployed value. `--regions all`
 * means every enabled region (the parameter's empty value).
 */
export function stackParameters(flags: StackParameterFlags): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, setting] of Object.entries(STACK_SETTINGS) as [StackSettingName, StackSetting][]) {
    const value = flags[name];
    if (value === undefined || setting.setByDeploy) continue;
    // On the command line, "all" says what the parameter's empty value means; an empty list is a mistake.
    const parsed =
      name === 'regions'
        ? value === 'all'
          ? []
          : parseFlag(regionListSchema, value, setting.flag)
        : parseFlag(setting.schema, value, setting.flag);
    parameters[setting.parameter] = Array.isArray(parsed) ? parsed.join(',') : String(parsed);
  }
  return parameters;
}

/**
 * Declares on `command` the flag of every stack setting, with its help, so that a new setting needs
 * no change to the command.
 */
export function withSettingFlags(command: Command): Command {
  for (const setting of Object.values(STACK_SETTINGS) as StackSetting[])
    if (!setting.setByDeploy) command.option(`${setting.flag} ${setting.value}`, settingHelp(setting));
  return command;
}

/**
 * A setting's help with its default, which only a new stack takes: a flag left out of an update
 * keeps the deployed value (see {@link stackParameters}).
 */
export function settingHelp(setting: StackSetting): string {
  const value = setting.default === '' ? (setting.flag === '--regions' ? 'all' : 'none') : setting.default;
  return `${setting.help} (new stack: ${value}; left out of an update, the deployed value stays)`;
}
