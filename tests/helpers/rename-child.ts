/**
 * A process that renames a class of the project given as argv[2] (argv[3] → argv[4]) and prints
 * `renaming` just before and `done` after; the kill test kills it with SIGKILL in between.
 */
import { openDatasetProject } from '../../main/dataset/project';

const [dir, from, to] = process.argv.slice(2) as [string, string, string];
const project = await openDatasetProject(dir, { watch: false });
await project.ready();
process.stdout.write('renaming\n');
await project.renameClass(from, to);
process.stdout.write('done\n');
await project.close();
