/** The application menu: the platform's standard roles plus Detecta's help links. */
import { Menu, shell, type MenuItemConstructorOptions } from 'electron';

export function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'TensorFlow.js GPU set-up', click: () => void shell.openExternal('https://www.tensorflow.org/js/guide/nodejs') }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
