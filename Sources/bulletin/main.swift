import BulletinCLI

await BulletinCommand.runMain()
