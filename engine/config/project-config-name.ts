/** The project file's name, apart from its loader so that commands can look for it cheaply. */
export const projectConfigFileName = 'mission.config.yaml';
