import ArgumentParser
import PostgresCDC

extension LSN: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
