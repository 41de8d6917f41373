import { UserError } from '../errors';

// Placeholder until the subcommand lands; replaced by its owner.
export function run(_argv: string[]): void {
  throw new UserError('predict: not implemented yet');
}
