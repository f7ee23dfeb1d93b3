import ArgumentParser
import PostgresCDC

extension LSN: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
