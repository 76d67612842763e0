import BulletinCLI

@main
struct Bulletin {
    static func main() async {
        await BulletinCommand.runMain()
    }
}
